// SPDX-License-Identifier: Apache-2.0
// A fault-injecting TCP proxy for the S3 client and persistence tests, in process, on 127.0.0.1.
// It passes connections through to the real server byte for byte (keep-alive included) unless a
// queued fault matches the first request of a new connection; then it answers with an error
// status, resets the connection in the middle of a body, or stalls. It can also take the server
// "down" (connections refused, open ones cut) and bring it back on the same address, without
// restarting the server (which keeps its data in memory). Bad networks can't be produced on demand
// for real, so this is the one test double of the S3 suites; the server behind it is the real one.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pindeck::test {

struct Fault {
  enum class Kind {
    status,          // read the whole request, answer `status` with an S3 <Error> `s3_code`
    reset_request,   // read half of the request body, then reset the connection (RST)
    stall_request,   // read the request head, then neither read nor answer for `stall`, close
    reset_response,  // pass the request on; reset after `after_bytes` bytes of the answer
    stall_response,  // pass the request on; after `after_bytes` of the answer, stall, close
  };
  Kind kind = Kind::status;
  std::string method;  // applies to the first connection whose first request has it; "" = any
  std::string target_contains{};  // and whose request target (path) contains this; "" = any
  int status = 503;
  std::string s3_code = "SlowDown";
  std::uint64_t after_bytes = 0;
  std::chrono::milliseconds stall{0};
  bool sticky = false;  // stays queued: applies to every matching connection
};

// The port of an endpoint URL such as http://127.0.0.1:7480, where the proxy is to forward.
inline std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

class FaultProxy {
 public:
  FaultProxy(std::string upstream_host, std::uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Down: new connections are refused and open ones are cut. Up: listening again on the same
  // port. The proxy starts up.
  void take_down();
  void bring_up();
  void add_fault(Fault fault);
  void clear_faults();
  // Off: one request per connection, so queued faults meet requests in order even when the
  // client would have reused a connection. On by default.
  void set_keep_alive(bool on) { keep_alive_ = on; }

  int connections() const { return connections_.load(); }
  int faults_injected() const { return injected_.load(); }
  // "METHOD /path" of the first request of each connection (query left out: it may be signed).
  std::vector<std::string> first_requests() const;
  // The x-amz-date header of each of those requests ("" when absent): retries must be re-signed.
  std::vector<std::string> first_request_dates() const;
  // Empties both lists, so a proxy running for hours (the soak) does not grow with every
  // connection.
  void forget_requests();

 private:
  bool take_fault(const std::string& method, const std::string& target, Fault& out);
  void accept_connections();
  // Runs `step` on the proxy's thread (the only one touching sockets) and waits for it.
  void run_on_proxy_thread(const std::function<void()>& step);

  // Sockets of the sessions in progress, so take_down() can cut them. Declared before io_ because
  // the sessions it destroys with itself remove their sockets from here.
  std::set<boost::asio::ip::tcp::socket*> open_sockets_;
  boost::asio::io_context io_;
  // Keeps the proxy's thread running while it is down with no session open.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint upstream_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::deque<Fault> faults_;
  std::vector<std::string> first_requests_;
  std::vector<std::string> first_request_dates_;
  std::atomic<int> connections_{0};
  std::atomic<int> injected_{0};
  std::atomic<bool> keep_alive_{true};
  std::thread thread_;

  friend struct ProxySession;
};

}  // namespace pindeck::test
