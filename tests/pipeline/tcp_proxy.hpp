// A TCP forwarder on 127.0.0.1 that can be switched off and on: the way the tests take the S3
// server "down" (connections refused, open connections cut) and bring it back on the same
// address, without restarting the server itself (it keeps its data in memory).
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace pindeck::testing {

class TcpProxy {
 public:
  // Picks a free local port; the proxy is off (connections refused) until start().
  explicit TcpProxy(unsigned short upstream_port) : upstream_port_(upstream_port) {
    boost::asio::ip::tcp::acceptor probe(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port_ = probe.local_endpoint().port();
  }
  ~TcpProxy() { stop(); }

  unsigned short port() const { return port_; }

  void start() {
    stop();
    io_.restart();
    acceptor_ = std::make_unique<boost::asio::ip::tcp::acceptor>(io_);
    const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), port_);
    acceptor_->open(at.protocol());
    acceptor_->set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_->bind(at);
    acceptor_->listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  // Refuses new connections and cuts the open ones.
  void stop() {
    if (!thread_.joinable()) return;
    io_.stop();
    thread_.join();
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    for (auto& weak : sockets_) {
      if (auto socket = weak.lock()) socket->close(ignored);
    }
    sockets_.clear();
    acceptor_.reset();
  }

 private:
  using Socket = boost::asio::ip::tcp::socket;

  void accept() {
    acceptor_->async_accept([this](boost::system::error_code ec, Socket client) {
      if (ec) return;
      auto downstream = std::make_shared<Socket>(std::move(client));
      auto upstream = std::make_shared<Socket>(io_);
      sockets_.push_back(downstream);
      sockets_.push_back(upstream);
      upstream->async_connect({boost::asio::ip::make_address("127.0.0.1"), upstream_port_},
                              [this, downstream, upstream](boost::system::error_code connect_ec) {
                                if (connect_ec) return;
                                pump(downstream, upstream);
                                pump(upstream, downstream);
                              });
      accept();
    });
  }

  void pump(std::shared_ptr<Socket> from, std::shared_ptr<Socket> to) {
    auto buffer = std::make_shared<std::vector<char>>(64 * 1024);
    from->async_read_some(
        boost::asio::buffer(*buffer),
        [this, from, to, buffer](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            boost::system::error_code ignored;
            to->shutdown(Socket::shutdown_send, ignored);
            return;
          }
          boost::asio::async_write(
              *to, boost::asio::buffer(buffer->data(), n),
              [this, from, to, buffer](boost::system::error_code write_ec, std::size_t) {
                if (!write_ec) pump(from, to);
              });
        });
  }

  boost::asio::io_context io_;
  unsigned short upstream_port_;
  unsigned short port_ = 0;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::vector<std::weak_ptr<Socket>> sockets_;
  std::thread thread_;
};

}  // namespace pindeck::testing
