// SPDX-License-Identifier: Apache-2.0
// TLS is verified by default and a custom CA file is honoured: a real TLS server (openssl s_server
// with a throw-away self-signed certificate for 127.0.0.1) is refused until its certificate is
// given as the CA file. s_server answers any GET with a status page, which is all this needs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "expect_error.hpp"
#include "s3/client.hpp"

namespace pindeck::s3 {
namespace {

namespace fs = std::filesystem;
using boost::asio::ip::tcp;

std::uint16_t free_port() {
  boost::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

bool accepts(std::uint16_t port) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

class TlsServer {
 public:
  TlsServer() {
    dir_ = fs::path(::testing::TempDir()) / ("s3-tls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
        "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        (dir_ / "key.pem").string() + "' -out '" + cert() + "' > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
    port_ = free_port();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::freopen("/dev/null", "w", stdout);
      ::freopen("/dev/null", "w", stderr);
      const std::string port = std::to_string(port_);
      const std::string key = (dir_ / "key.pem").string();
      const std::string certificate = cert();
      ::execlp("openssl", "openssl", "s_server", "-accept", port.c_str(), "-cert",
               certificate.c_str(), "-key", key.c_str(), "-www", "-quiet", nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !accepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~TlsServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string cert() const { return (dir_ / "cert.pem").string(); }

 private:
  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

TEST(S3Tls, VerifiesCertificatesByDefaultAndTrustsAGivenCaFile) {
  TlsServer server;
  Config config;
  config.endpoint = server.endpoint();
  config.credentials = {"AKIDEXAMPLE", "not-a-real-secret", ""};
  config.bucket = "pindeck";
  config.retry.max_attempts = 3;

  try {
    Client(config).get_object("status.html");
    FAIL() << "a self-signed certificate was accepted without being trusted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network);
    EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
    // A certificate that does not verify will not verify on a second try either.
    EXPECT_EQ(std::string(e.what()).find("attempts"), std::string::npos) << e.what();
  }

  config.ca_file = server.cert();
  GetResult page = Client(config).get_object("status.html");
  EXPECT_NE(page.body.find("s_server"), std::string::npos) << page.body.substr(0, 200);

  config.ca_file = (fs::path(::testing::TempDir()) / "no-such-ca.pem").string();
  test::expect_error([&] { Client(config).get_object("status.html"); }, Errc::network);
}

}  // namespace
}  // namespace pindeck::s3
