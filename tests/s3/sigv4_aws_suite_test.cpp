// SPDX-License-Identifier: Apache-2.0
// The public AWS SigV4 test suite (tests/data/sigv4/v4, from aws-c-auth): every case folder, in
// header and in query (presign) mode, must give the expected canonical request, string to sign,
// signature and signed request.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "s3/sigv4.hpp"
#include "util/sha256.hpp"

namespace pindeck::s3 {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

const fs::path kSuite = fs::path(PINDECK_TEST_DATA) / "sigv4" / "v4";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  throw std::runtime_error(std::string("bad percent escape digit ") + c);
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// A raw HTTP/1.1 request as the suite writes it: request line, "Name:value" lines, a blank
// line, the body. The request target may hold spaces (get-space-normalized), so the method ends
// at the first space and the version starts at the last one.
struct RawRequest {
  std::string method;
  std::string target;  // path and query exactly as written
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

RawRequest parse_request(const std::string& text) {
  RawRequest raw;
  std::size_t line_end = text.find('\n');
  const std::string line = text.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  if (first_space == std::string::npos || last_space == first_space) {
    throw std::runtime_error("bad request line: " + line);
  }
  raw.method = line.substr(0, first_space);
  raw.target = line.substr(first_space + 1, last_space - first_space - 1);
  raw.version = line.substr(last_space + 1);
  std::size_t at = line_end == std::string::npos ? text.size() : line_end + 1;
  while (at < text.size()) {
    line_end = text.find('\n', at);
    const std::string header =
        text.substr(at, line_end == std::string::npos ? std::string::npos : line_end - at);
    at = line_end == std::string::npos ? text.size() : line_end + 1;
    if (header.empty()) {
      raw.body = text.substr(at);
      break;
    }
    const std::size_t colon = header.find(':');
    if (colon == std::string::npos) throw std::runtime_error("bad header line: " + header);
    raw.headers.emplace_back(header.substr(0, colon), header.substr(colon + 1));
  }
  return raw;
}

HttpRequest to_http_request(const RawRequest& raw) {
  HttpRequest request;
  request.method = raw.method;
  const std::size_t question = raw.target.find('?');
  request.path = raw.target.substr(0, question);
  if (question != std::string::npos) {
    for (const auto& pair : split(std::string_view(raw.target).substr(question + 1), '&')) {
      const std::size_t equals = pair.find('=');
      request.query.emplace_back(
          percent_decoded(pair.substr(0, equals)),
          equals == std::string::npos ? "" : percent_decoded(pair.substr(equals + 1)));
    }
  }
  request.headers = raw.headers;
  for (const auto& [name, value] : raw.headers) {
    if (name == "Host") request.host = value;
  }
  request.payload_hash = util::sha256_hex(raw.body);
  return request;
}

Clock::time_point parse_timestamp(const std::string& iso8601) {
  int year, month, day, hour, minute, second;
  if (std::sscanf(iso8601.c_str(), "%d-%d-%dT%d:%d:%dZ", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    throw std::runtime_error("bad timestamp " + iso8601);
  }
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / month / day} + hours{hour} + minutes{minute} +
         seconds{second};
}

// A signed request compared line by line, with header names lower-cased and the header lines
// and query parameters taken as multisets: the suite's files list them in aws-c-auth's own order
// (X-Amz-Security-Token before X-Amz-Date, X-Amz-Expires after X-Amz-SignedHeaders), which is
// not part of what SigV4 defines.
struct SignedRequestShape {
  std::string method, path, version, body;
  std::vector<std::string> query;
  std::vector<std::string> headers;
  bool operator==(const SignedRequestShape&) const = default;
};

std::ostream& operator<<(std::ostream& out, const SignedRequestShape& shape) {
  out << shape.method << ' ' << shape.path << " ? ";
  for (const auto& q : shape.query) out << q << " & ";
  out << ' ' << shape.version << '\n';
  for (const auto& h : shape.headers) out << h << '\n';
  return out << '\n' << shape.body;
}

SignedRequestShape shape_of(const RawRequest& raw) {
  SignedRequestShape shape{raw.method, raw.target, raw.version, raw.body, {}, {}};
  const std::size_t question = raw.target.find('?');
  if (question != std::string::npos) {
    shape.path = raw.target.substr(0, question);
    shape.query = split(std::string_view(raw.target).substr(question + 1), '&');
  }
  for (const auto& [name, value] : raw.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    shape.headers.push_back(lower + ':' + value);
  }
  std::sort(shape.query.begin(), shape.query.end());
  std::sort(shape.headers.begin(), shape.headers.end());
  return shape;
}

std::string signature_of(const std::string& text) {
  const std::size_t at = text.rfind("Signature=");
  return at == std::string::npos ? "" : text.substr(at + 10, 64);
}

struct SuiteCase {
  fs::path dir;
  nlohmann::json context;
  RawRequest raw;

  std::string expected(const std::string& name) const { return read_text(dir / name); }

  Signer signer() const {
    const auto& credentials = context.at("credentials");
    const std::string service = context.at("service");
    SigningRules rules = SigningRules::for_service(service);
    rules.normalize_path = context.at("normalize").get<bool>();
    rules.content_sha256_header = context.at("sign_body").get<bool>();
    return Signer({credentials.at("access_key_id"), credentials.at("secret_access_key"),
                   credentials.value("token", std::string())},
                  context.at("region"), service, rules);
  }
};

SuiteCase load_case(const fs::path& dir) {
  return {dir, nlohmann::json::parse(read_text(dir / "context.json")),
          parse_request(read_text(dir / "request.txt"))};
}

void check_header_mode(const SuiteCase& c) {
  SCOPED_TRACE("header mode");
  HttpRequest request = to_http_request(c.raw);
  SigningTrace trace;
  c.signer().sign(request, parse_timestamp(c.context.at("timestamp")), &trace);
  EXPECT_EQ(trace.canonical_request, c.expected("header-canonical-request.txt"));
  EXPECT_EQ(trace.string_to_sign, c.expected("header-string-to-sign.txt"));

  RawRequest signed_raw = c.raw;
  signed_raw.headers = request.headers;
  const auto authorization =
      std::find_if(request.headers.begin(), request.headers.end(),
                   [](const auto& header) { return header.first == "Authorization"; });
  ASSERT_NE(authorization, request.headers.end());
  EXPECT_EQ(signature_of(authorization->second), c.expected("header-signature.txt"));
  EXPECT_EQ(shape_of(signed_raw), shape_of(parse_request(c.expected("header-signed-request.txt"))));
}

void check_query_mode(const SuiteCase& c) {
  SCOPED_TRACE("query mode");
  const HttpRequest request = to_http_request(c.raw);
  SigningTrace trace;
  const std::string url = c.signer().presign(
      request, "https", std::chrono::seconds(c.context.at("expiration_in_seconds")),
      parse_timestamp(c.context.at("timestamp")), &trace);
  EXPECT_EQ(trace.canonical_request, c.expected("query-canonical-request.txt"));
  EXPECT_EQ(trace.string_to_sign, c.expected("query-string-to-sign.txt"));
  EXPECT_EQ(signature_of(url), c.expected("query-signature.txt"));

  // Generic services take the path as sent, so the URL's path is the request line's.
  const std::string origin = "https://" + request.host;
  ASSERT_TRUE(url.starts_with(origin)) << url;
  RawRequest signed_raw = c.raw;
  signed_raw.target = url.substr(origin.size());
  EXPECT_EQ(shape_of(signed_raw), shape_of(parse_request(c.expected("query-signed-request.txt"))));
}

TEST(SigV4AwsSuite, EveryCaseInHeaderAndQueryMode) {
  ASSERT_TRUE(fs::is_directory(kSuite)) << kSuite;
  std::size_t folders = 0;
  std::size_t run = 0;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (!entry.is_directory()) continue;
    ++folders;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const SuiteCase c = load_case(entry.path());
    check_header_mode(c);
    check_query_mode(c);
    ++run;
  }
  EXPECT_EQ(run, folders);
  // A partial copy of the suite must not pass quietly: aws-c-auth's v4 suite has 30 cases.
  EXPECT_EQ(folders, 30u);
}

}  // namespace
}  // namespace pindeck::s3
