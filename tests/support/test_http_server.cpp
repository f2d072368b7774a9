// SPDX-License-Identifier: Apache-2.0
#include "test_http_server.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace pindeck::test {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kEndlessChunk = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string header_value(const std::string& head, const std::string& name) {
  const std::string lower_head = lower(head);
  const std::size_t at = lower_head.find("\r\n" + lower(name) + ":");
  if (at == std::string::npos) return "";
  const std::size_t start = head.find_first_not_of(' ', at + 3 + name.size());
  return head.substr(start, head.find("\r\n", start) - start);
}

std::string reason_of(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

std::string status_head(int status, const std::string& content_type) {
  std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) + "\r\nConnection: close\r\n";
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  return head;
}

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

}  // namespace

struct TestHttpServer::Session {
  static awaitable<void> serve(TestHttpServer& server, tcp::socket client) {
    boost::system::error_code ec;
    std::string received;
    const std::size_t head_end =
        co_await asio::async_read_until(client, asio::dynamic_buffer(received, kMaxHead),
                                        "\r\n\r\n", asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const std::string head = received.substr(0, head_end);
    const std::size_t first_space = head.find(' ');
    const std::size_t second_space = head.find(' ', first_space + 1);
    if (first_space == std::string::npos || second_space == std::string::npos) co_return;
    const std::string target = head.substr(first_space + 1, second_space - first_space - 1);
    const std::string path = target.substr(0, target.find('?'));

    Route route;
    bool routed = false;
    {
      std::lock_guard lock(server.mutex_);
      ++server.requests_[path];
      ++server.total_requests_;
      server.last_heads_[path] = head;
      if (auto it = server.routes_.find(path); it != server.routes_.end()) {
        route = it->second;
        routed = true;
      }
    }
    if (!routed) {
      route.status = 404;
      route.content_type = "text/plain";
      route.body = std::make_shared<const std::string>("not found\n");
    }

    std::string answer;
    switch (route.kind) {
      case Route::Kind::body:
        answer = status_head(route.status, route.content_type) +
                 "Content-Length: " + std::to_string(route.body->size()) + "\r\n\r\n";
        co_await asio::async_write(
            client,
            std::array<asio::const_buffer, 2>{asio::buffer(answer), asio::buffer(*route.body)},
            asio::redirect_error(use_awaitable, ec));
        break;
      case Route::Kind::redirect:
        answer = status_head(route.status, "") + "Location: " + route.location +
                 "\r\nContent-Length: 0\r\n\r\n";
        co_await asio::async_write(client, asio::buffer(answer),
                                   asio::redirect_error(use_awaitable, ec));
        break;
      case Route::Kind::slow: {
        answer = status_head(200, route.content_type) +
                 "Content-Length: " + std::to_string(route.total) + "\r\n\r\n";
        co_await asio::async_write(client, asio::buffer(answer),
                                   asio::redirect_error(use_awaitable, ec));
        const std::string chunk(route.chunk, 's');
        for (std::uint64_t sent = 0; !ec && sent < route.total;) {
          co_await sleep_for(route.interval);
          const std::size_t n =
              static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), route.total - sent));
          co_await asio::async_write(client, asio::buffer(chunk.data(), n),
                                     asio::redirect_error(use_awaitable, ec));
          sent += n;
        }
        break;
      }
      case Route::Kind::endless: {
        answer = status_head(200, route.content_type);
        if (route.total > 0) answer += "Content-Length: " + std::to_string(route.total) + "\r\n";
        answer += "\r\n";
        co_await asio::async_write(client, asio::buffer(answer),
                                   asio::redirect_error(use_awaitable, ec));
        const std::string chunk(kEndlessChunk, 'e');
        while (!ec) {
          co_await asio::async_write(client, asio::buffer(chunk),
                                     asio::redirect_error(use_awaitable, ec));
        }
        break;
      }
    }
    client.shutdown(tcp::socket::shutdown_both, ec);
  }
};

TestHttpServer::TestHttpServer()
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  accept_connections();
  thread_ = std::thread([this] { io_.run(); });
}

TestHttpServer::~TestHttpServer() {
  io_.stop();
  thread_.join();
}

std::string TestHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void TestHttpServer::accept_connections() {
  asio::co_spawn(
      io_,
      [this]() -> awaitable<void> {
        for (;;) {
          boost::system::error_code ec;
          tcp::socket client =
              co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
          if (ec) co_return;
          asio::co_spawn(io_, Session::serve(*this, std::move(client)), asio::detached);
        }
      },
      asio::detached);
}

void TestHttpServer::add_route(const std::string& path, Route route) {
  std::lock_guard lock(mutex_);
  routes_[path] = std::move(route);
}

void TestHttpServer::add_body(const std::string& path, int status, std::string content_type,
                              std::string body) {
  Route route;
  route.status = status;
  route.content_type = std::move(content_type);
  route.body = std::make_shared<const std::string>(std::move(body));
  add_route(path, std::move(route));
}

void TestHttpServer::add_file(const std::string& path, const std::filesystem::path& file,
                              std::string content_type) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  add_body(path, 200, std::move(content_type),
           std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

void TestHttpServer::add_redirect(const std::string& path, int status, std::string location) {
  Route route;
  route.kind = Route::Kind::redirect;
  route.status = status;
  route.location = std::move(location);
  add_route(path, std::move(route));
}

void TestHttpServer::add_slow_body(const std::string& path, std::string content_type,
                                   std::size_t chunk, std::chrono::milliseconds interval,
                                   std::uint64_t total) {
  Route route;
  route.kind = Route::Kind::slow;
  route.content_type = std::move(content_type);
  route.chunk = chunk;
  route.interval = interval;
  route.total = total;
  add_route(path, std::move(route));
}

void TestHttpServer::add_endless_body(const std::string& path, std::string content_type,
                                      std::uint64_t declared_length) {
  Route route;
  route.kind = Route::Kind::endless;
  route.content_type = std::move(content_type);
  route.total = declared_length;
  add_route(path, std::move(route));
}

int TestHttpServer::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(path);
  return it == requests_.end() ? 0 : it->second;
}

int TestHttpServer::total_requests() const {
  std::lock_guard lock(mutex_);
  return total_requests_;
}

std::string TestHttpServer::last_request_header(const std::string& path,
                                                const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = last_heads_.find(path);
  return it == last_heads_.end() ? "" : header_value(it->second, name);
}

}  // namespace pindeck::test
