// SPDX-License-Identifier: Apache-2.0
// The safe fetcher against a real HTTP server on 127.0.0.1. Only loopback is ever connected to:
// without the host option every loopback form must be refused before a request is sent; with it,
// the bodies arrive. Two seams stand in for what loopback cannot show: a rule set in which
// 127.0.0.1 counts as public (a redirect from an allowed host), and a resolver whose answer
// differs from the address curl is pinned to (DNS rebinding).
#include "sources/fetcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "pindeck/error.hpp"
#include "process_stats.hpp"
#include "read_file.hpp"
#include "scoped_env.hpp"
#include "sources/address_rules.hpp"
#include "test_http_server.hpp"

namespace pindeck::sources {
namespace {

namespace ip = boost::asio::ip;
using test::expect_error;

const std::string kImages = std::string(PINDECK_TEST_DATA) + "/images/";

FetchOptions with_private_network() {
  FetchOptions options;
  options.allow_private_network = true;
  return options;
}

// What an error says, or "" when the call did not throw pindeck::Error.
template <typename Call>
std::string error_of(Call&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    png_ = test::read_file(kImages + "canopee-3840x2160.png");
    ASSERT_FALSE(png_.empty());
    server_.add_body("/image.png", 200, "image/png", png_);
  }

  std::string at_host(const std::string& host, const std::string& path) const {
    return "http://" + host + ":" + std::to_string(server_.port()) + path;
  }

  FetchResult fetch_to_received(const std::string& url, const FetchOptions& options) {
    return fetch(url, options, sink_);
  }

  test::TestHttpServer server_;
  std::string png_;
  std::string received_;
  int chunks_ = 0;
  FetchSink sink_ = [this](std::span<const std::byte> chunk) {
    ++chunks_;
    received_.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  };
};

TEST_F(FetcherTest, ImagesArriveWithTheHostOption) {
  const std::string jpeg = test::read_file(kImages + "flow-5120x2880.jpg");
  server_.add_body("/photo.jpg", 200, "image/jpeg", jpeg);

  FetchResult result = fetch_to_received(server_.url("/image.png"), with_private_network());
  EXPECT_TRUE(received_ == png_);
  EXPECT_EQ(result.byte_size, png_.size());
  EXPECT_EQ(result.content_type, "image/png");
  EXPECT_EQ(result.final_url, server_.url("/image.png"));
  EXPECT_GT(chunks_, 1) << "a 6 MB body arrives in chunks";

  received_.clear();
  result = fetch_to_received(server_.url("/photo.jpg"), with_private_network());
  EXPECT_TRUE(received_ == jpeg);
  EXPECT_EQ(result.byte_size, jpeg.size());
  EXPECT_TRUE(server_.last_request_header("/photo.jpg", "User-Agent").starts_with("libpindeck/"))
      << server_.last_request_header("/photo.jpg", "User-Agent");
}

TEST_F(FetcherTest, ReportsTheServersContentTypeWithoutTrustingIt) {
  server_.add_body("/lying", 200, "text/plain", png_);
  server_.add_body("/page.html", 200, "text/html; charset=utf-8",
                   "<!doctype html><html><body><img src=x></body></html>");
  server_.add_body("/untyped", 200, "", png_);

  EXPECT_EQ(fetch_to_received(server_.url("/lying"), with_private_network()).content_type,
            "text/plain");
  EXPECT_TRUE(received_ == png_);
  received_.clear();
  EXPECT_EQ(fetch_to_received(server_.url("/page.html"), with_private_network()).content_type,
            "text/html; charset=utf-8");
  EXPECT_TRUE(received_.starts_with("<!doctype html>"));
  received_.clear();
  EXPECT_EQ(fetch_to_received(server_.url("/untyped"), with_private_network()).content_type, "");
  EXPECT_EQ(received_.size(), png_.size());
}

TEST_F(FetcherTest, RefusesEverySpellingOfLoopbackWithoutTheHostOption) {
  for (const char* host :
       {"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "127.0.0.2",
        "localhost", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"}) {
    const std::string url = at_host(host, "/image.png");
    const std::string message = error_of([&] { fetch_to_received(url, FetchOptions{}); });
    EXPECT_NE(message.find("URL '" + url + "' refused: "), std::string::npos) << message;
    EXPECT_NE(message.find("loopback"), std::string::npos) << message;
    expect_error([&] { fetch_to_received(url, FetchOptions{}); }, Errc::invalid, "loopback");
  }
  EXPECT_EQ(server_.total_requests(), 0);
  EXPECT_TRUE(received_.empty());
  EXPECT_EQ(chunks_, 0);
}

TEST_F(FetcherTest, TheSameSpellingsArriveWithTheHostOption) {
  for (const char* host : {"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1",
                           "localhost", "[::ffff:127.0.0.1]"}) {
    received_.clear();
    const FetchResult result =
        fetch_to_received(at_host(host, "/image.png"), with_private_network());
    EXPECT_TRUE(received_ == png_) << host;
    EXPECT_EQ(result.byte_size, png_.size()) << host;
  }
  EXPECT_EQ(server_.requests("/image.png"), 7);
}

TEST_F(FetcherTest, RefusesSchemesOtherThanHttpAndHttpsEvenWithTheHostOption) {
  const std::string port = std::to_string(server_.port());
  for (const FetchOptions& options : {FetchOptions{}, with_private_network()}) {
    expect_error([&] { fetch_to_received("file:///etc/passwd", options); }, Errc::invalid,
                 "refused: scheme 'file' is not allowed (http and https only)");
    expect_error([&] { fetch_to_received("ftp://127.0.0.1:" + port + "/image.png", options); },
                 Errc::invalid, "scheme 'ftp' is not allowed");
    expect_error([&] { fetch_to_received("gopher://127.0.0.1:" + port + "/_GET", options); },
                 Errc::invalid, "scheme 'gopher' is not allowed");
    expect_error([&] { fetch_to_received("dict://127.0.0.1:" + port + "/x", options); },
                 Errc::invalid, "scheme 'dict' is not allowed");
    expect_error([&] { fetch_to_received("javascript:alert(1)", options); }, Errc::invalid,
                 "refused: it cannot be parsed");
  }
  EXPECT_EQ(server_.total_requests(), 0);
  EXPECT_TRUE(received_.empty());
}

TEST_F(FetcherTest, RefusesUnparseableUrls) {
  for (const std::string url :
       {"not a url", "http://127.0.0.1:99999/x", "", "http://", "http://127.0.0.1/\x01"}) {
    expect_error([&] { fetch_to_received(url, with_private_network()); }, Errc::invalid,
                 "refused: it");
  }
  EXPECT_EQ(server_.total_requests(), 0);
}

TEST_F(FetcherTest, RefusesCredentialsWithoutRepeatingThem) {
  const std::string port = std::to_string(server_.port());
  for (const std::string& url :
       std::vector<std::string>{"http://alice:s3cret@127.0.0.1:" + port + "/image.png",
                                "http://alice@127.0.0.1:" + port + "/image.png",
                                "http://:s3cret@127.0.0.1:" + port + "/image.png",
                                "https://alice:s3cret@example.com/image.png"}) {
    const std::string message = error_of([&] { fetch_to_received(url, with_private_network()); });
    EXPECT_NE(message.find("refused: credentials in URLs are not allowed"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_EQ(message.find("alice"), std::string::npos) << message;
  }
  EXPECT_EQ(server_.total_requests(), 0);
  EXPECT_TRUE(received_.empty());
}

TEST_F(FetcherTest, FollowsFiveRedirectsRelativeOrAbsolute) {
  server_.add_redirect("/r1", 301, "/r2");
  server_.add_redirect("/r2", 302, "r3");
  server_.add_redirect("/r3", 303, server_.url("/r4"));
  server_.add_redirect("/r4", 307, "//127.0.0.1:" + std::to_string(server_.port()) + "/r5");
  server_.add_redirect("/r5", 308, "/image.png?from=r5");

  const FetchResult result = fetch_to_received(server_.url("/r1"), with_private_network());
  EXPECT_TRUE(received_ == png_);
  EXPECT_EQ(result.final_url, server_.url("/image.png?from=r5"));
  for (const char* path : {"/r1", "/r2", "/r3", "/r4", "/r5", "/image.png"}) {
    EXPECT_EQ(server_.requests(path), 1) << path;
  }
}

TEST_F(FetcherTest, RefusesASixthRedirectWithoutFetchingItsTarget) {
  for (int i = 1; i <= 6; ++i) {
    server_.add_redirect("/s" + std::to_string(i), 302,
                         i < 6 ? "/s" + std::to_string(i + 1) : "/image.png");
  }
  expect_error([&] { fetch_to_received(server_.url("/s1"), with_private_network()); },
               Errc::invalid, "refused: more than 5 redirects");
  EXPECT_EQ(server_.requests("/s6"), 1);
  EXPECT_EQ(server_.requests("/image.png"), 0);
  EXPECT_TRUE(received_.empty());

  FetchOptions none = with_private_network();
  none.max_redirects = 0;
  expect_error([&] { fetch_to_received(server_.url("/s6"), none); }, Errc::invalid,
               "more than 0 redirects");
  EXPECT_EQ(server_.requests("/image.png"), 0);
}

TEST_F(FetcherTest, RefusesARedirectFromAnAllowedHostToAPrivateOne) {
  // 127.0.0.1 stands in for a public host; every other address keeps its rule.
  detail::FetchSeams seams;
  seams.refusal = [](const ip::address& address) -> std::optional<std::string> {
    if (address == ip::make_address("127.0.0.1")) return std::nullopt;
    return refusal_of(address);
  };
  const std::string port = std::to_string(server_.port());
  server_.add_redirect("/to-mapped", 302, "http://[::ffff:127.0.0.1]:" + port + "/image.png");
  server_.add_redirect("/to-other-loopback", 301, "http://0x7f000002:" + port + "/image.png");
  server_.add_redirect("/to-file", 302, "file:///etc/passwd");
  server_.add_redirect("/to-credentials", 302,
                       "http://alice:s3cret@127.0.0.1:" + port + "/image.png");

  const FetchResult direct = detail::fetch(server_.url("/image.png"), {}, sink_, seams);
  EXPECT_EQ(direct.byte_size, png_.size()) << "the stand-in public host is fetched";
  EXPECT_EQ(server_.requests("/image.png"), 1);
  received_.clear();

  const auto refused = [&](const std::string& path) {
    return error_of([&] { detail::fetch(server_.url(path), {}, sink_, seams); });
  };
  std::string message = refused("/to-mapped");
  EXPECT_NE(message.find("URL '" + server_.url("/to-mapped") +
                         "' refused: redirect to 'http://"
                         "[::ffff:127.0.0.1]:" +
                         port + "/image.png': ::ffff:127.0.0.1 is IPv4-mapped 127.0.0.1: loopback"),
            std::string::npos)
      << message;
  message = refused("/to-other-loopback");
  EXPECT_NE(message.find("127.0.0.2 is loopback (127.0.0.0/8)"), std::string::npos) << message;
  message = refused("/to-file");
  EXPECT_NE(message.find("redirect to 'file:///etc/passwd': scheme 'file' is not allowed"),
            std::string::npos)
      << message;
  message = refused("/to-credentials");
  EXPECT_NE(message.find("credentials in URLs are not allowed"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  EXPECT_EQ(message.find("alice"), std::string::npos) << message;

  EXPECT_EQ(server_.requests("/image.png"), 1) << "no redirect target was fetched";
  EXPECT_TRUE(received_.empty());
  for (const char* path : {"/to-mapped", "/to-other-loopback", "/to-file", "/to-credentials"}) {
    EXPECT_EQ(server_.requests(path), 1) << path;
  }
}

TEST_F(FetcherTest, ChecksEveryAddressAHostResolvesTo) {
  detail::FetchSeams seams;
  seams.resolve = [](const std::string&) {
    const std::vector<ip::address> answer{ip::make_address("8.8.8.8"),
                                          ip::make_address("127.0.0.1")};
    return detail::Resolution{answer, answer};
  };
  expect_error([&] { detail::fetch(at_host("mixed.example", "/image.png"), {}, sink_, seams); },
               Errc::invalid,
               "refused: host 'mixed.example' resolves to 127.0.0.1, loopback (127.0.0.0/8)");
  EXPECT_EQ(server_.total_requests(), 0);
}

TEST_F(FetcherTest, RefusesAtConnectTimeWhatDnsRebindingWouldSlipPast) {
  // The check sees a public address; curl is then sent to 127.0.0.1 (never to 8.8.8.8).
  detail::FetchSeams seams;
  seams.resolve = [](const std::string&) {
    return detail::Resolution{{ip::make_address("8.8.8.8")}, {ip::make_address("127.0.0.1")}};
  };
  const std::string url = at_host("rebind.example", "/image.png");
  expect_error(
      [&] { detail::fetch(url, {}, sink_, seams); }, Errc::invalid,
      "URL '" + url + "' refused: the connection went to 127.0.0.1, loopback (127.0.0.0/8)");
  EXPECT_EQ(server_.total_requests(), 0);
  EXPECT_TRUE(received_.empty());

  // The pinning is real: with the host option the same fetch reaches the server.
  const FetchResult result = detail::fetch(url, with_private_network(), sink_, seams);
  EXPECT_EQ(result.byte_size, png_.size());
  EXPECT_EQ(server_.requests("/image.png"), 1);
}

TEST_F(FetcherTest, MapsMissingBodiesToNotFoundAndOtherStatusesToNetwork) {
  server_.add_body("/gone", 410, "text/plain", "gone\n");
  server_.add_body("/broken", 500, "text/plain", "oops\n");
  server_.add_body("/missing", 404, "text/html", "<html>404</html>");
  server_.add_redirect("/to-missing", 302, "/nowhere");

  expect_error([&] { fetch_to_received(server_.url("/missing"), with_private_network()); },
               Errc::not_found, "HTTP status 404");
  expect_error([&] { fetch_to_received(server_.url("/gone"), with_private_network()); },
               Errc::not_found, "HTTP status 410");
  expect_error([&] { fetch_to_received(server_.url("/to-missing"), with_private_network()); },
               Errc::not_found, "HTTP status 404 (at '" + server_.url("/nowhere") + "')");
  expect_error([&] { fetch_to_received(server_.url("/broken"), with_private_network()); },
               Errc::network, "HTTP status 500");
  EXPECT_TRUE(received_.empty()) << "error pages are not delivered";
}

TEST_F(FetcherTest, ConnectionFailuresAreNetworkErrors) {
  std::uint16_t closed_port = 0;
  {
    test::TestHttpServer gone;
    closed_port = gone.port();
  }
  expect_error(
      [&] {
        fetch_to_received("http://127.0.0.1:" + std::to_string(closed_port) + "/x",
                          with_private_network());
      },
      Errc::network, "Couldn't connect");
}

TEST_F(FetcherTest, EnforcesTheSizeLimitAtTheByteAndWithoutReadingAnnouncedOversizedBodies) {
  server_.add_body("/1000", 200, "image/png", std::string(1000, 'x'));
  server_.add_endless_body("/endless", "image/png");
  server_.add_endless_body("/announced", "image/png", 2u << 20);

  FetchOptions options = with_private_network();
  options.max_bytes = 1000;
  EXPECT_EQ(fetch_to_received(server_.url("/1000"), options).byte_size, 1000u);
  received_.clear();
  options.max_bytes = 999;
  expect_error([&] { fetch_to_received(server_.url("/1000"), options); }, Errc::invalid,
               "refused: the body is larger than the 999 bytes limit");
  EXPECT_TRUE(received_.empty()) << "the announced length is refused before the body";

  options.max_bytes = 1u << 20;
  expect_error([&] { fetch_to_received(server_.url("/announced"), options); }, Errc::invalid,
               "the body is larger than the 1 MiB limit");
  EXPECT_TRUE(received_.empty());
  expect_error([&] { fetch_to_received(server_.url("/endless"), options); }, Errc::invalid,
               "URL '" + server_.url("/endless") +
                   "' refused: the body is larger than the 1 MiB "
                   "limit");
  EXPECT_LE(received_.size(), 1u << 20);
  EXPECT_GT(received_.size(), (1u << 20) - (64u << 10));
}

TEST_F(FetcherTest, StreamsAnEndlessBodyToTheDefaultLimitInFlatMemory) {
  server_.add_endless_body("/endless", "application/octet-stream");
  std::uint64_t counted = 0;
  const long start_kib = test::resident_kib();
  long peak_kib = start_kib;
  const FetchSink counting = [&](std::span<const std::byte> chunk) {
    const std::uint64_t before = counted;
    counted += chunk.size();
    if (counted >> 20 != before >> 20) peak_kib = std::max(peak_kib, test::resident_kib());
  };
  expect_error([&] { fetch(server_.url("/endless"), with_private_network(), counting); },
               Errc::invalid, "is larger than the 40 MiB limit");
  EXPECT_LE(counted, std::uint64_t{40} << 20);
  EXPECT_GT(counted, (std::uint64_t{40} << 20) - (64u << 10));
  EXPECT_LT(peak_kib - start_kib, 16 * 1024)
      << "resident memory grew from " << start_kib << " KiB to " << peak_kib << " KiB";
}

TEST_F(FetcherTest, EnforcesTheTotalAndLowSpeedTimeouts) {
  server_.add_slow_body("/slow", "image/png", 100, std::chrono::milliseconds(100), 100'000);
  server_.add_slow_body("/trickle", "image/png", 10, std::chrono::milliseconds(100), 100'000);

  FetchOptions options = with_private_network();
  options.total_timeout = std::chrono::milliseconds(800);
  auto start = std::chrono::steady_clock::now();
  expect_error([&] { fetch_to_received(server_.url("/slow"), options); }, Errc::network,
               "Timeout was reached");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(received_.empty()) << "the body was arriving when the time ran out";

  options = with_private_network();
  options.low_speed_limit = 1000;
  options.low_speed_time = std::chrono::seconds(1);
  start = std::chrono::steady_clock::now();
  expect_error([&] { fetch_to_received(server_.url("/trickle"), options); }, Errc::network,
               "Timeout was reached");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(FetcherTest, PropagatesWhatTheSinkThrows) {
  const FetchSink failing = [](std::span<const std::byte>) {
    throw std::runtime_error("disk full");
  };
  try {
    fetch(server_.url("/image.png"), with_private_network(), failing);
    ADD_FAILURE() << "the sink's exception was swallowed";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "disk full");
    EXPECT_EQ(dynamic_cast<const Error*>(&e), nullptr);
  }
}

TEST_F(FetcherTest, IgnoresProxyEnvironmentVariables) {
  // A proxy would connect on our behalf, out of reach of the address checks.
  test::ScopedEnv env;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"}) {
    env.set(name, "http://127.0.0.1:1");
  }
  env.unset("no_proxy");
  env.unset("NO_PROXY");
  const FetchResult result = fetch_to_received(server_.url("/image.png"), with_private_network());
  EXPECT_EQ(result.byte_size, png_.size());
  expect_error([&] { fetch_to_received(server_.url("/image.png"), FetchOptions{}); }, Errc::invalid,
               "loopback");
}

}  // namespace
}  // namespace pindeck::sources
