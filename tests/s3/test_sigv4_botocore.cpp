// S3 requests signed by botocore at a fixed clock (tests/data/sigv4/s3-requests.json): every case
// must match byte for byte: canonical request, string to sign, Authorization header, URL and,
// where the case has one, the presigned URL.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "s3/sigv4.hpp"

namespace pindeck::s3 {
namespace {

using Clock = std::chrono::system_clock;
using Json = nlohmann::ordered_json;  // the URL keeps the query in the order it was given

Json load_cases() {
  std::ifstream in(std::string(PINDECK_TEST_DATA) + "/sigv4/s3-requests.json");
  if (!in) throw std::runtime_error("cannot read tests/data/sigv4/s3-requests.json");
  return Json::parse(in);
}

Clock::time_point parse_amz_date(const std::string& amz_date) {
  int year, month, day, hour, minute, second;
  if (std::sscanf(amz_date.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    throw std::runtime_error("bad x-amz-date " + amz_date);
  }
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / month / day} + hours{hour} + minutes{minute} +
         seconds{second};
}

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

struct BotocoreCase {
  Json json;
  std::string scheme;  // "http" or "https", from the endpoint
  HttpRequest request;

  explicit BotocoreCase(Json j) : json(std::move(j)) {
    const std::string endpoint = json.at("endpoint");
    const std::size_t colon = endpoint.find("://");
    scheme = endpoint.substr(0, colon);
    request.method = json.at("method");
    request.host = endpoint.substr(colon + 3);
    request.path = json.at("path");
    for (const auto& [name, value] : json.at("query").items())
      request.query.emplace_back(name, value);
    for (const auto& [name, value] : json.at("headers").items()) {
      request.headers.emplace_back(name, value);
    }
    // botocore signs the body's hash whenever the endpoint is plain http, even when asked for
    // UNSIGNED-PAYLOAD (S3SigV4Auth._should_sha256_sign_payload), so the expected texts of the
    // "put-unsigned" case (http, no body) hold the hash of the empty body.
    if (json.value("payload", "") == "UNSIGNED-PAYLOAD" && scheme == "https") {
      request.payload_hash = "UNSIGNED-PAYLOAD";
    } else {
      request.payload_hash = Signer::sha256_hex(from_hex(json.value("payload_hex", "")));
    }
  }

  Signer signer() const {
    return Signer({json.at("access_key_id"), json.at("secret_access_key"), ""}, json.at("region"),
                  json.at("service"));
  }
  Clock::time_point when() const { return parse_amz_date(json.at("timestamp")); }
};

std::string header(const HttpRequest& request, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& [n, v] : request.headers) {
    if (n == name) {
      found = v;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << name;
  return found;
}

TEST(SigV4Botocore, EveryCaseMatchesByteForByte) {
  const Json cases = load_cases();
  ASSERT_TRUE(cases.is_array());
  std::size_t run = 0;
  std::size_t presigned = 0;
  for (const auto& json : cases) {
    SCOPED_TRACE(json.at("name").get<std::string>());
    BotocoreCase c(json);
    EXPECT_EQ(Signer::url(c.request, c.scheme), json.at("url"));

    HttpRequest signed_request = c.request;
    SigningTrace trace;
    c.signer().sign(signed_request, c.when(), &trace);
    EXPECT_EQ(trace.canonical_request, json.at("canonical_request"));
    EXPECT_EQ(trace.string_to_sign, json.at("string_to_sign"));
    EXPECT_EQ(header(signed_request, "Authorization"), json.at("authorization"));
    EXPECT_EQ(header(signed_request, "X-Amz-Date"), json.at("x_amz_date"));
    EXPECT_EQ(header(signed_request, "X-Amz-Content-SHA256"), c.request.payload_hash);
    ++run;

    if (json.contains("presigned_url")) {
      // The generator presigned the bare object URL, as botocore's generate_presigned_url does:
      // no headers besides Host, so SignedHeaders=host.
      HttpRequest bare = c.request;
      bare.headers.clear();
      EXPECT_EQ(c.signer().presign(bare, c.scheme, std::chrono::seconds(json.at("presign_expires")),
                                   c.when()),
                json.at("presigned_url"));
      ++presigned;
    }
  }
  EXPECT_EQ(run, cases.size());
  // A partial copy of the data must not pass quietly.
  EXPECT_EQ(run, 10u);
  EXPECT_EQ(presigned, 7u);
}

}  // namespace
}  // namespace pindeck::s3
