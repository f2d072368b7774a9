// SPDX-License-Identifier: Apache-2.0
#include "fault_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <future>

namespace pindeck::test {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

void reset(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

// The value of a header in a request head, "" when absent.
std::string header_value(const std::string& head, const std::string& lower_name) {
  std::string lower;
  for (char c : head) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t at = lower.find("\r\n" + lower_name + ":");
  if (at == std::string::npos) return "";
  std::size_t start = head.find_first_not_of(' ', at + 3 + lower_name.size());
  return head.substr(start, head.find("\r\n", start) - start);
}

std::uint64_t content_length(const std::string& head) {
  std::string value = header_value(head, "content-length");
  return value.empty() ? 0 : std::stoull(value);
}

// Copies from one socket to the other; after `limit` bytes (0 = none) stops copying and returns
// true. Returns false when `from` ends or fails.
awaitable<bool> copy(tcp::socket& from, tcp::socket& to, std::uint64_t limit) {
  char buffer[64 * 1024];
  std::uint64_t copied = 0;
  for (;;) {
    std::size_t want = sizeof buffer;
    if (limit > 0) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, limit - copied));
    boost::system::error_code ec;
    std::size_t n = co_await from.async_read_some(asio::buffer(buffer, want),
                                                  asio::redirect_error(use_awaitable, ec));
    if (n > 0) {
      co_await asio::async_write(to, asio::buffer(buffer, n),
                                 asio::redirect_error(use_awaitable, ec));
      copied += n;
      if (limit > 0 && copied >= limit) co_return true;
    }
    if (ec) {
      boost::system::error_code ignored;
      to.shutdown(tcp::socket::shutdown_send, ignored);
      co_return false;
    }
  }
}

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

}  // namespace

struct ProxySession {
  // Lists a session's socket among the open ones for as long as the session lasts.
  class Tracked {
   public:
    Tracked(FaultProxy& proxy, tcp::socket& socket) : proxy_(proxy), socket_(socket) {
      proxy_.open_sockets_.insert(&socket_);
    }
    ~Tracked() { proxy_.open_sockets_.erase(&socket_); }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;

   private:
    FaultProxy& proxy_;
    tcp::socket& socket_;
  };

  static awaitable<void> serve(FaultProxy& proxy, tcp::socket client) {
    const Tracked tracked_client(proxy, client);
    boost::system::error_code ec;
    std::string received;
    std::size_t head_end =
        co_await asio::async_read_until(client, asio::dynamic_buffer(received), "\r\n\r\n",
                                        asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const std::string head = received.substr(0, head_end);
    const std::string method = head.substr(0, head.find(' '));
    std::string target =
        head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
    target = target.substr(0, target.find('?'));
    {
      std::lock_guard lock(proxy.mutex_);
      proxy.first_requests_.push_back(method + " " + target);
      proxy.first_request_dates_.push_back(header_value(head, "x-amz-date"));
    }
    const std::uint64_t body_length = content_length(head);
    std::uint64_t body_received = received.size() - head_end;

    Fault fault;
    const bool faulty = proxy.take_fault(method, target, fault);
    if (faulty && fault.kind == Fault::Kind::status) {
      std::string rest(body_length > body_received ? body_length - body_received : 0, '\0');
      co_await asio::async_read(client, asio::buffer(rest),
                                asio::redirect_error(use_awaitable, ec));
      std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + fault.s3_code +
                         "</Code><Message>injected by the test proxy</Message><RequestId>proxy-" +
                         std::to_string(proxy.injected_.load()) + "</RequestId></Error>";
      std::string answer = "HTTP/1.1 " + std::to_string(fault.status) +
                           " Injected\r\nContent-Type: application/xml\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      co_await asio::async_write(client, asio::buffer(answer),
                                 asio::redirect_error(use_awaitable, ec));
      client.shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }
    if (faulty && fault.kind == Fault::Kind::reset_request) {
      std::string half(body_length / 2 > body_received ? body_length / 2 - body_received : 0, '\0');
      co_await asio::async_read(client, asio::buffer(half),
                                asio::redirect_error(use_awaitable, ec));
      reset(client);
      co_return;
    }
    if (faulty && fault.kind == Fault::Kind::stall_request) {
      co_await sleep_for(fault.stall);
      co_return;
    }

    tcp::socket upstream(client.get_executor());
    const Tracked tracked_upstream(proxy, upstream);
    co_await upstream.async_connect(proxy.upstream_, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    if (!proxy.keep_alive_) {
      // The server then closes after its answer, so the client's next request comes on a new
      // connection and meets the next fault.
      received.insert(head_end - 2, "Connection: close\r\n");
    }
    co_await asio::async_write(upstream, asio::buffer(received),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    if (!faulty) {
      co_await (copy(client, upstream, 0) && copy(upstream, client, 0));
      co_return;
    }
    // reset_response or stall_response: the request goes through, the answer is cut.
    co_await (copy(client, upstream, 0) || copy(upstream, client, fault.after_bytes));
    if (fault.kind == Fault::Kind::stall_response) co_await sleep_for(fault.stall);
    reset(client);
    upstream.close(ec);
  }
};

FaultProxy::FaultProxy(std::string upstream_host, std::uint16_t upstream_port)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      upstream_(asio::ip::make_address(upstream_host), upstream_port) {
  port_ = acceptor_.local_endpoint().port();
  accept_connections();
  thread_ = std::thread([this] { io_.run(); });
}

FaultProxy::~FaultProxy() {
  io_.stop();
  thread_.join();
}

void FaultProxy::accept_connections() {
  asio::co_spawn(
      io_,
      [this]() -> awaitable<void> {
        for (;;) {
          boost::system::error_code ec;
          tcp::socket client =
              co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
          if (ec) co_return;  // closed by take_down() or the destructor
          ++connections_;
          asio::co_spawn(io_, ProxySession::serve(*this, std::move(client)), asio::detached);
        }
      },
      asio::detached);
}

void FaultProxy::run_on_proxy_thread(const std::function<void()>& step) {
  std::promise<void> done;
  asio::post(io_, [&] {
    try {
      step();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void FaultProxy::take_down() {
  run_on_proxy_thread([this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (tcp::socket* socket : open_sockets_) socket->close(ignored);
  });
}

void FaultProxy::bring_up() {
  run_on_proxy_thread([this] {
    if (acceptor_.is_open()) return;
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port_);
    acceptor_.open(at.protocol());
    // The cut connections leave this port in TIME_WAIT.
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    accept_connections();
  });
}

void FaultProxy::add_fault(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void FaultProxy::clear_faults() {
  std::lock_guard lock(mutex_);
  faults_.clear();
}

std::vector<std::string> FaultProxy::first_requests() const {
  std::lock_guard lock(mutex_);
  return first_requests_;
}

std::vector<std::string> FaultProxy::first_request_dates() const {
  std::lock_guard lock(mutex_);
  return first_request_dates_;
}

void FaultProxy::forget_requests() {
  std::lock_guard lock(mutex_);
  first_requests_ = {};
  first_request_dates_ = {};
}

bool FaultProxy::take_fault(const std::string& method, const std::string& target, Fault& out) {
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (target.find(it->target_contains) == std::string::npos) continue;
    out = *it;
    if (!it->sticky) faults_.erase(it);
    ++injected_;
    return true;
  }
  return false;
}

}  // namespace pindeck::test
