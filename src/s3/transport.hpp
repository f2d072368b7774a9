// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 transport: libcurl's multi interface driven by a Boost.Asio io_context. curl opens its
// sockets through us as Asio sockets and tells us which ones to watch (CURLMOPT_SOCKETFUNCTION)
// and when to wake it (CURLMOPT_TIMERFUNCTION). Connections are kept alive and reused across
// requests. Bodies stream in both directions.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "s3/body.hpp"
#include "s3/sigv4.hpp"

namespace pindeck::s3 {

struct TransportOptions {
  bool verify_tls = true;
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10000};
  long low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{30};
  std::chrono::milliseconds attempt_timeout{0};
  long max_connections = 16;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  // An error answer's body (up to 1 MiB), or a successful one when the transfer has no sink.
  std::string body;

  // The value of the header with this lower-case name, "" when absent.
  std::string header(std::string_view name) const;
};

// How one HTTP exchange ended.
struct TransferOutcome {
  CURLcode curl_code = CURLE_OK;  // CURLE_OK: an HTTP answer arrived (any status)
  std::string curl_error;         // curl's explanation when curl_code is not CURLE_OK
  // Set when reading the request body or writing the response body failed on our side.
  std::exception_ptr local_error;
  HttpResponse response;
};

struct Transfer {
  HttpRequest request;  // signed, headers complete
  std::string url;
  BodySource body;  // sent with Content-Length for PUT and POST
  // Where a 2xx body goes; null keeps it in response.body.
  std::shared_ptr<ResponseSink> sink;
  std::function<void(TransferOutcome)> done;  // runs on the io_context's thread
};

// Not thread-safe: construct, use and destroy it on the io_context's thread (destroying it after
// that thread has stopped is fine too).
class Transport {
 public:
  Transport(boost::asio::io_context& io, TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  void start(Transfer transfer);
  // Ends every transfer in flight with CURLE_ABORTED_BY_CALLBACK and closes all connections.
  void shutdown();

 private:
  struct Exchange;
  struct Socket;

  static curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int close_socket(void* self, curl_socket_t fd);
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* exchange);
  static int on_seek(void* exchange, curl_off_t offset, int origin);
  static int on_progress(void* exchange, curl_off_t download_total, curl_off_t downloaded,
                         curl_off_t upload_total, curl_off_t uploaded);
  static std::size_t on_header(char* buffer, std::size_t size, std::size_t count, void* exchange);
  static std::size_t on_write(char* buffer, std::size_t size, std::size_t count, void* exchange);

  void watch(const std::shared_ptr<Socket>& socket);
  void on_ready(const std::shared_ptr<Socket>& socket, int direction);
  void act(curl_socket_t fd, int events);
  void finish_done_transfers();
  void finish(CURL* easy, CURLcode code);

  boost::asio::io_context& io_;
  TransportOptions options_;
  CURLM* multi_;
  boost::asio::steady_timer timer_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
  std::map<CURL*, std::unique_ptr<Exchange>> exchanges_;
};

}  // namespace pindeck::s3
