// SPDX-License-Identifier: Apache-2.0
// An HTTP/1.1 server for tests, in process, on 127.0.0.1 at an ephemeral port, on its own thread.
// A test adds routes by path: a fixed answer (any status and Content-Type), a file, a redirect, a
// slow body and an endless one. Every request is counted by path, routed or not (unknown paths
// get a 404), so a test can assert that nothing was fetched. One request per connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace pindeck::test {

class TestHttpServer {
 public:
  TestHttpServer();
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string url(std::string_view path) const;

  // Answers `status` with this body and Content-Type ("" sends none).
  void add_body(const std::string& path, int status, std::string content_type, std::string body);
  // Answers 200 with the bytes of `file`.
  void add_file(const std::string& path, const std::filesystem::path& file,
                std::string content_type);
  // Answers `status` (301, 302, 303, 307, 308) with this Location, as given (it may be relative).
  void add_redirect(const std::string& path, int status, std::string location);
  // Answers 200 with `total` bytes (announced in Content-Length), `chunk` of them every
  // `interval`.
  void add_slow_body(const std::string& path, std::string content_type, std::size_t chunk,
                     std::chrono::milliseconds interval, std::uint64_t total);
  // Answers 200 and sends bytes until the client goes away, with no Content-Length, or with a
  // false one when `declared_length` is not 0.
  void add_endless_body(const std::string& path, std::string content_type,
                        std::uint64_t declared_length = 0);

  // Requests received for `path` (query left out), whether it had a route or not.
  int requests(const std::string& path) const;
  int total_requests() const;
  // The value of a header of the last request for `path`, "" when absent or never requested.
  std::string last_request_header(const std::string& path, const std::string& name) const;

 private:
  struct Route {
    enum class Kind { body, redirect, slow, endless };
    Kind kind = Kind::body;
    int status = 200;
    std::string content_type;
    std::shared_ptr<const std::string> body;
    std::string location;
    std::size_t chunk = 0;
    std::chrono::milliseconds interval{0};
    std::uint64_t total = 0;  // slow: the body's size; endless: the declared one (0 = none)
  };
  struct Session;

  void add_route(const std::string& path, Route route);
  void accept_connections();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Route, std::less<>> routes_;
  std::map<std::string, int, std::less<>> requests_;
  std::map<std::string, std::string, std::less<>> last_heads_;
  int total_requests_ = 0;
  std::thread thread_;
};

}  // namespace pindeck::test
