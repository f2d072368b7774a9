// SPDX-License-Identifier: Apache-2.0
// The S3 client on a bad network: a fault-injecting proxy (fault_proxy.hpp) in front of the real
// radosgw answers 500/503, resets connections in the middle of bodies and stalls. Transient faults
// are retried until the request succeeds (storing exactly one correct object); lasting ones fail
// with a clear error within the configured bound; client errors are never retried. Also: connection
// reuse, and no secret or signature in any error or log line.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include "expect_s3_error.hpp"
#include "fault_proxy.hpp"
#include "read_file.hpp"
#include "s3/client.hpp"
#include "s3_test_server.hpp"
#include "util/sha256.hpp"

namespace pindeck::s3 {
namespace {

using Clock = std::chrono::steady_clock;
using test::Fault;
using test::random_bytes;

// Every log line the client writes, kept for assertions.
struct LogCapture {
  void operator()(LogLevel, std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return lines;
  }
  int count(const std::string& needle) {
    int n = 0;
    for (const auto& line : snapshot()) n += line.find(needle) != std::string::npos;
    return n;
  }
  std::mutex mutex;
  std::vector<std::string> lines;
};

class S3FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = test::load_test_server();
    prefix_ = test::unique_prefix(::testing::UnitTest::GetInstance()->current_test_info()->name());
    Endpoint upstream = parse_endpoint(server_.endpoint);
    const std::size_t colon = upstream.host.rfind(':');
    proxy_ = std::make_unique<test::FaultProxy>(
        upstream.host.substr(0, colon),
        static_cast<std::uint16_t>(std::stoi(upstream.host.substr(colon + 1))));
  }

  // A configuration that goes through the proxy, with quick retries and stall detection.
  Config proxied() {
    Config c = server_.config();
    c.endpoint = proxy_->endpoint();
    c.low_speed_limit = 1024;
    c.low_speed_time = std::chrono::seconds(1);
    c.retry.max_attempts = 6;
    c.retry.base_delay = std::chrono::milliseconds(20);
    c.retry.max_delay = std::chrono::milliseconds(200);
    c.retry.total_time = std::chrono::seconds(20);
    c.log = [this](LogLevel level, std::string_view line) { log_(level, line); };
    return c;
  }

  // The objects under a key, listed straight from the server (not through the proxy).
  std::vector<ObjectSummary> stored(const std::string& key) {
    Client direct(server_.config());
    ListOptions options;
    options.prefix = key;
    return direct.list_all_objects(options).objects;
  }
  std::string stored_body(const std::string& key) {
    return Client(server_.config()).get_object(key).body;
  }

  test::TestServer server_;
  std::string prefix_;
  std::unique_ptr<test::FaultProxy> proxy_;
  LogCapture log_;
};

TEST_F(S3FaultTest, PassThroughReusesOneKeepAliveConnection) {
  Client client(proxied());
  for (int i = 0; i < 10; ++i) {
    const std::string key = prefix_ + std::to_string(i);
    client.put_buffer(key, random_bytes(20000, static_cast<unsigned>(i)));
    EXPECT_EQ(client.get_object(key).body, random_bytes(20000, static_cast<unsigned>(i)));
  }
  EXPECT_EQ(proxy_->connections(), 1) << "sequential requests did not reuse the connection";
  EXPECT_EQ(proxy_->first_requests().size(), 1u);
}

TEST_F(S3FaultTest, RetriedPutStoresExactlyOneCorrectObject) {
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "PUT", .status = 500, .s3_code = "InternalError"});
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "PUT", .status = 503, .s3_code = "SlowDown"});
  proxy_->add_fault({.kind = Fault::Kind::reset_request, .method = "PUT"});
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "PUT", .status = 502, .s3_code = "BadGateway"});
  Client client(proxied());
  const std::string key = prefix_ + "retried.bin";
  const std::string data = random_bytes(2u << 20, 9);
  PutResult put = client.put_buffer(key, data);
  EXPECT_EQ(proxy_->faults_injected(), 4);
  EXPECT_EQ(log_.count("retrying"), 4);
  auto objects = stored(key);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].key, key);
  EXPECT_EQ(objects[0].size, data.size());
  EXPECT_EQ(objects[0].etag, put.etag);
  EXPECT_TRUE(stored_body(key) == data);
}

TEST_F(S3FaultTest, StalledUploadIsDetectedAndRetried) {
  proxy_->add_fault(
      {.kind = Fault::Kind::stall_request, .method = "PUT", .stall = std::chrono::seconds(30)});
  Client client(proxied());
  const std::string key = prefix_ + "stalled.bin";
  const std::string data = random_bytes(300000, 4);
  const auto start = Clock::now();
  client.put_buffer(key, data);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(15));  // the 30 s stall was cut short
  EXPECT_EQ(proxy_->faults_injected(), 1);
  // The retry, seconds later, was signed afresh: a new x-amz-date (radosgw, like S3, would
  // refuse a stale one after 15 minutes).
  const auto dates = proxy_->first_request_dates();
  ASSERT_EQ(dates.size(), 2u);
  EXPECT_EQ(dates[0].size(), 16u) << dates[0];
  EXPECT_LT(dates[0], dates[1]);
  EXPECT_TRUE(stored_body(key) == data);
}

TEST_F(S3FaultTest, MultipartPartsAreRetriedIndividually) {
  proxy_->set_keep_alive(false);
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "PUT", .status = 503, .s3_code = "SlowDown"});
  proxy_->add_fault({.kind = Fault::Kind::reset_request, .method = "PUT"});
  proxy_->add_fault(
      {.kind = Fault::Kind::stall_request, .method = "PUT", .stall = std::chrono::seconds(30)});
  proxy_->add_fault({.kind = Fault::Kind::status,
                     .method = "POST",
                     .status = 503,
                     .s3_code = "SlowDown"});  // throttling: even CreateMultipartUpload retries
  Config config = proxied();
  config.part_size = 5u << 20;
  config.multipart_threshold = 5u << 20;
  config.max_parallel_parts = 3;
  Client client(config);
  const std::string key = prefix_ + "parts.bin";
  const std::string data = random_bytes((16u << 20) + 1000, 16);
  PutResult put = client.put_buffer(key, data);
  EXPECT_TRUE(put.multipart);
  EXPECT_EQ(put.parts, 4);
  EXPECT_EQ(proxy_->faults_injected(), 4);
  EXPECT_GE(log_.count("UploadPart"), 3);  // the retries named the parts they were about
  auto objects = stored(key);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].size, data.size());
  EXPECT_TRUE(stored_body(key) == data);
}

TEST_F(S3FaultTest, ResetAndStallDuringDownloadsAreRetried) {
  const std::string key = prefix_ + "download.bin";
  const std::string data = random_bytes(1u << 20, 21);
  Client(server_.config()).put_buffer(key, data);
  proxy_->add_fault({.kind = Fault::Kind::reset_response, .method = "GET", .after_bytes = 100000});
  proxy_->add_fault({.kind = Fault::Kind::stall_response,
                     .method = "GET",
                     .after_bytes = 300000,
                     .stall = std::chrono::seconds(30)});
  Client client(proxied());
  EXPECT_TRUE(client.get_object(key).body == data);
  EXPECT_EQ(proxy_->faults_injected(), 2);
  proxy_->add_fault({.kind = Fault::Kind::reset_response, .method = "GET", .after_bytes = 500000});
  const std::string path = ::testing::TempDir() + "/" + prefix_.substr(5, prefix_.size() - 6);
  Client fresh(proxied());  // a new connection, so the fault applies
  fresh.get_object_to_file(key, path);
  EXPECT_EQ(proxy_->faults_injected(), 3);
  EXPECT_TRUE(test::read_file(path) == data) << "the resumed download differs from the object";
  std::filesystem::remove(path);
}

TEST_F(S3FaultTest, LastingServerErrorFailsClearlyAfterTheAttemptBound) {
  proxy_->add_fault({.kind = Fault::Kind::status,
                     .method = "",
                     .status = 503,
                     .s3_code = "SlowDown",
                     .sticky = true});
  Config config = proxied();
  config.retry.max_attempts = 4;
  Client client(config);
  const auto start = Clock::now();
  try {
    client.put_buffer(prefix_ + "never.bin", "data");
    FAIL() << "a PUT succeeded through a proxy that always answers 503";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.code(), Errc::s3);
    EXPECT_EQ(e.http_status(), 503);
    EXPECT_EQ(e.s3_code(), "SlowDown");
    EXPECT_NE(std::string(e.what()).find("after 4 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(proxy_->faults_injected(), 4);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(stored(prefix_ + "never.bin").empty());
}

TEST_F(S3FaultTest, LastingStallFailsAsANetworkErrorWithinTheTimeBound) {
  proxy_->add_fault({.kind = Fault::Kind::stall_request,
                     .method = "",
                     .stall = std::chrono::seconds(60),
                     .sticky = true});
  Config config = proxied();
  config.retry.max_attempts = 100;
  config.retry.total_time = std::chrono::seconds(3);
  Client client(config);
  const auto start = Clock::now();
  try {
    client.put_buffer(prefix_ + "stuck.bin", random_bytes(100000));
    FAIL() << "a PUT succeeded through a proxy that always stalls";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network);
    EXPECT_NE(std::string(e.what()).find("network error"), std::string::npos) << e.what();
  }
  // The bound: no retry starts after total_time, and a stalled attempt ends low_speed_time (plus
  // up to 1 s of curl's wake-up granularity) after its last byte moved.
  const auto elapsed = Clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(3 + 1 + 1 + 3));  // + 3 s for a loaded machine
  EXPECT_GE(elapsed, std::chrono::seconds(2));
}

TEST_F(S3FaultTest, ClientErrorsAreNeverRetried) {
  // One fault each: a retry would pass through and succeed, so success would mean a retry.
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "PUT", .status = 403, .s3_code = "AccessDenied"});
  Client client(proxied());
  try {
    client.put_buffer(prefix_ + "denied.bin", "x");
    FAIL() << "a 403 was retried";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_EQ(e.s3_code(), "AccessDenied");
    EXPECT_EQ(e.request_id(), "proxy-1");
  }
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "GET", .status = 400, .s3_code = "InvalidArgument"});
  Client fresh(proxied());
  test::expect_s3_error([&] { fresh.list_objects(); }, 400, "InvalidArgument");
  EXPECT_EQ(proxy_->faults_injected(), 2);
  EXPECT_EQ(log_.count("retrying"), 0);
}

TEST_F(S3FaultTest, NonIdempotentCreateMultipartIsNotResentAfterAReset) {
  proxy_->add_fault({.kind = Fault::Kind::reset_request, .method = "POST"});
  Config config = proxied();
  config.part_size = 5u << 20;
  config.multipart_threshold = 5u << 20;
  Client client(config);
  try {
    client.put_buffer(prefix_ + "create.bin", random_bytes(6u << 20));
    FAIL() << "CreateMultipartUpload was sent again after the connection was reset";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network);
    EXPECT_NE(std::string(e.what()).find("CreateMultipartUpload"), std::string::npos) << e.what();
  }
  EXPECT_EQ(log_.count("retrying"), 0);
  const auto requests = proxy_->first_requests();
  EXPECT_EQ(std::count(requests.begin(), requests.end(),
                       "POST /" + server_.bucket + "/" + prefix_ + "create.bin"),
            1);
}

TEST_F(S3FaultTest, DestroyingTheClientWithTransfersInFlightIsSafe) {
  proxy_->add_fault({.kind = Fault::Kind::stall_request,
                     .method = "",
                     .stall = std::chrono::seconds(10),
                     .sticky = true});
  std::future<PutResult> put;
  std::future<PutResult> multipart;
  std::future<GetResult> get;
  const auto start = Clock::now();
  {
    Config config = proxied();
    config.part_size = 5u << 20;
    config.multipart_threshold = 5u << 20;
    Client client(config);
    auto body = [](std::size_t n) {
      return BodySource::from_buffer(std::make_shared<const std::string>(random_bytes(n)));
    };
    put = client.async_put_object(prefix_ + "a.bin", body(1u << 20), {}, boost::asio::use_future);
    multipart =
        client.async_put_object(prefix_ + "b.bin", body(12u << 20), {}, boost::asio::use_future);
    get = client.async_get_object(prefix_ + "c.bin", "", {}, boost::asio::use_future);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all stalled on the wire
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3)) << "destruction waited for stalls";
  // Abandoned: the futures report a broken promise instead of hanging.
  auto expect_broken_promise = [](auto& future) {
    try {
      future.get();
      ADD_FAILURE() << "an abandoned operation reported a result";
    } catch (const std::future_error& e) {
      EXPECT_EQ(e.code(), std::future_errc::broken_promise) << e.what();
    }
  };
  expect_broken_promise(put);
  expect_broken_promise(multipart);
  expect_broken_promise(get);
}

// Multipart uploads in progress under a key, asked of the server directly (ListMultipartUploads
// is not an operation the client needs, so it is signed and sent by hand here).
std::string list_uploads(const test::TestServer& server, const std::string& key) {
  Endpoint endpoint = parse_endpoint(server.endpoint);
  HttpRequest request{
      "GET", endpoint.host,       "/" + server.bucket, {{"uploads", ""}, {"prefix", key}},
      {},    util::sha256_hex("")};
  Signer(Credentials{server.access_key, server.secret_key, ""}, server.region)
      .sign(request, std::chrono::system_clock::now());
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  std::string url = Signer::url(request, endpoint.scheme);
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error("ListMultipartUploads failed");
  return body;
}

TEST_F(S3FaultTest, FailedMultipartUploadIsAborted) {
  proxy_->set_keep_alive(false);
  proxy_->add_fault({.kind = Fault::Kind::status,
                     .method = "PUT",
                     .status = 403,
                     .s3_code = "AccessDenied",
                     .sticky = true});
  Config config = proxied();
  config.part_size = 5u << 20;
  config.multipart_threshold = 5u << 20;
  Client client(config);
  const std::string key = prefix_ + "aborted.bin";
  test::expect_s3_error([&] { client.put_buffer(key, random_bytes(12u << 20)); }, 403,
                        "AccessDenied");
  const std::string uploads = list_uploads(server_, key);
  EXPECT_NE(uploads.find("ListMultipartUploadsResult"), std::string::npos) << uploads;
  EXPECT_EQ(uploads.find("<Upload>"), std::string::npos) << "upload left behind: " << uploads;
  EXPECT_TRUE(stored(key).empty());
}

TEST_F(S3FaultTest, NoSecretOrSignatureInErrorsOrLogs) {
  const std::string secret = server_.secret_key;
  std::vector<std::string> texts;  // every error message
  auto keep = [&texts](auto&& call) {
    try {
      call();
    } catch (const std::exception& e) {
      texts.emplace_back(e.what());
    }
  };
  proxy_->add_fault(
      {.kind = Fault::Kind::status, .method = "", .status = 500, .s3_code = "InternalError"});
  proxy_->add_fault({.kind = Fault::Kind::reset_request, .method = "PUT"});
  {
    Config config = proxied();
    config.retry.max_attempts = 3;
    Client client(config);
    client.put_buffer(prefix_ + "ok.bin", random_bytes(50000));
    keep([&] { client.get_object(prefix_ + "missing.bin"); });
    texts.push_back(config.to_string());
  }
  {
    Config wrong = proxied();
    wrong.credentials.secret_key = secret + "-wrong";
    Client client(wrong);
    keep([&] { client.put_buffer(prefix_ + "denied.bin", "x"); });
    keep([&] { client.head_object(prefix_ + "denied.bin"); });
  }
  {
    Config stalls = proxied();
    stalls.retry.max_attempts = 2;
    proxy_->add_fault({.kind = Fault::Kind::stall_request,
                       .method = "",
                       .stall = std::chrono::seconds(10),
                       .sticky = true});
    Client client(stalls);
    keep([&] { client.put_buffer(prefix_ + "stall.bin", "x"); });
    proxy_->clear_faults();
  }
  const std::string presigned =
      Client(server_.config()).presign_get(prefix_ + "ok.bin", std::chrono::minutes(1));
  const std::string signature = presigned.substr(presigned.find("X-Amz-Signature=") + 16);
  ASSERT_EQ(signature.size(), 64u);

  for (const auto& line : log_.snapshot()) texts.push_back(line);
  ASSERT_GE(texts.size(), 8u);
  const std::regex hex64("[0-9a-f]{64}");
  for (const auto& text : texts) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find(signature), std::string::npos) << text;
    EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
    EXPECT_EQ(text.find("Authorization"), std::string::npos) << text;
    EXPECT_FALSE(std::regex_search(text, hex64)) << "a signature-like hex string: " << text;
  }
}

}  // namespace
}  // namespace pindeck::s3
