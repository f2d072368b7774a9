// SPDX-License-Identifier: Apache-2.0
// The signer's rules one by one (encoding, sorting, header folding, no normalisation for S3),
// Amazon's published S3 examples, re-signing, the key cache under threads, bad input and secrets.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pindeck/error.hpp"
#include "s3/crypto.hpp"
#include "s3/sigv4.hpp"
#include "s3/uri_encode.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"

namespace pindeck::s3 {
namespace {

using Clock = std::chrono::system_clock;
using namespace std::chrono;

constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Clock::time_point at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

std::string header_value(const HttpRequest& request, std::string_view name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return {};
}

std::size_t header_count(const HttpRequest& request, std::string_view name) {
  std::size_t count = 0;
  for (const auto& header : request.headers) count += header.first == name ? 1 : 0;
  return count;
}

// Line `index` (0-based) of a canonical request.
std::string line(const std::string& text, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = text.find('\n', start) + 1;
  return text.substr(start, text.find('\n', start) - start);
}

HttpRequest get_request(std::string path) {
  HttpRequest request;
  request.method = "GET";
  request.host = "127.0.0.1:7480";
  request.path = std::move(path);
  request.payload_hash = kEmptySha256;
  return request;
}

Signer test_signer(std::string token = "") {
  return Signer({"AKIDTEST", "secret/KEY+for-tests", std::move(token)}, "us-east-1");
}

TEST(UriEncode, KeepsUnreservedAndEncodesEverythingElseUpperCase) {
  EXPECT_EQ(uri_encode("AZaz09-._~", Slash::encode), "AZaz09-._~");
  EXPECT_EQ(uri_encode("a b+c=d&e/f", Slash::encode), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(uri_encode("a b/c", Slash::keep), "a%20b/c");
  EXPECT_EQ(uri_encode("\xC3\xA9*", Slash::encode), "%C3%A9%2A");
  EXPECT_EQ(uri_encode(std::string_view("\0\xff", 2), Slash::encode), "%00%FF");
}

TEST(Crypto, HmacMatchesPublishedVectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(util::to_hex(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a key longer than the block is hashed first.
  const crypto::HmacSha256Key long_key(std::string(131, '\xaa'));
  EXPECT_EQ(util::to_hex(long_key.mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(util::to_hex(long_key.mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
      << "a pooled context gives the same MAC";
}

TEST(SigV4Rules, S3PathIsEncodedOnceAndNeverNormalised) {
  HttpRequest request = get_request("/bucket/./a/../b//c d%2B+é");
  SigningTrace trace;
  test_signer().sign(request, at(2026, 11, 23), &trace);
  EXPECT_EQ(line(trace.canonical_request, 1), "/bucket/./a/../b//c%20d%252B%2B%C3%A9");
}

TEST(SigV4Rules, OtherServicesNormaliseThePath) {
  Signer signer({"AKIDTEST", "secret", ""}, "us-east-1", "service");
  for (const auto& [path, expected] : std::vector<std::pair<std::string, std::string>>{
           {"/a/./b/../c", "/a/c"}, {"//a//b//", "/a/b/"}, {"/a/b/..", "/a/"}, {"/..", "/"}}) {
    HttpRequest request = get_request(path);
    SigningTrace trace;
    signer.sign(request, at(2026, 11, 23), &trace);
    EXPECT_EQ(line(trace.canonical_request, 1), expected) << path;
  }
}

TEST(SigV4Rules, OtherServicesEncodeThePathAsSentOnceMore) {
  Signer signer({"AKIDTEST", "secret", ""}, "us-east-1", "service");
  HttpRequest request = get_request("/my%20docs/a+b");
  SigningTrace trace;
  const std::string url = signer.presign(request, "https", minutes(5), at(2026, 11, 23), &trace);
  EXPECT_EQ(line(trace.canonical_request, 1), "/my%2520docs/a%2Bb");
  EXPECT_TRUE(url.starts_with("https://127.0.0.1:7480/my%20docs/a+b?")) << url;

  HttpRequest s3_request = get_request("/my docs/a+b");
  const std::string s3_url =
      test_signer().presign(s3_request, "https", minutes(5), at(2026, 11, 23), &trace);
  EXPECT_EQ(line(trace.canonical_request, 1), "/my%20docs/a%2Bb");
  EXPECT_TRUE(s3_url.starts_with("https://127.0.0.1:7480/my%20docs/a%2Bb?")) << s3_url;
}

TEST(SigV4Rules, QueryIsSortedByEncodedNameThenValueAndEmptyValuesSignAsNameEquals) {
  HttpRequest request = get_request("/bucket/key");
  request.query = {{"uploads", ""}, {"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "x"}, {"é", "v w"}};
  SigningTrace trace;
  test_signer().sign(request, at(2026, 11, 23), &trace);
  // Byte order of the encoded names: '%' (0x25) before 'A' before 'a'.
  EXPECT_EQ(line(trace.canonical_request, 2), "%C3%A9=v%20w&A=x&a=y&a=z&b=2&uploads=");
  EXPECT_EQ(Signer::url(request, "http"),
            "http://127.0.0.1:7480/bucket/key?uploads&b=2&a=z&a=y&A=x&%C3%A9=v%20w");
}

TEST(SigV4Rules, HeadersAreLowerCasedTrimmedFoldedAndDuplicatesJoined) {
  HttpRequest request = get_request("/b/k");
  request.headers = {{"X-Amz-Meta-Note", "  two   words \t here "},
                     {"x-amz-meta-dup", "first"},
                     {"X-AMZ-META-DUP", " second "},
                     {"Content-Type", "image/jpeg"}};
  SigningTrace trace;
  test_signer().sign(request, at(2026, 11, 23, 1, 2, 3), &trace);
  EXPECT_EQ(
      trace.canonical_request,
      "GET\n/b/k\n\n"
      "content-type:image/jpeg\n"
      "host:127.0.0.1:7480\n"
      "x-amz-content-sha256:" +
          std::string(kEmptySha256) +
          "\n"
          "x-amz-date:20261123T010203Z\n"
          "x-amz-meta-dup:first,second\n"
          "x-amz-meta-note:two words here\n\n"
          "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-dup;x-amz-meta-note\n" +
          kEmptySha256);
}

TEST(SigV4Rules, CanonicalRequestAloneIsWhatSignSigns) {
  HttpRequest request = get_request("/b/k");
  request.headers = {{"Content-Type", "image/jpeg"}};
  const Signer signer = test_signer("token");
  const std::string alone = signer.canonical_request(request, at(2026, 11, 23));
  SigningTrace trace;
  signer.sign(request, at(2026, 11, 23), &trace);
  EXPECT_EQ(alone, trace.canonical_request);
}

TEST(SigV4Rules, UnsignedPayloadIsSignedLiterally) {
  HttpRequest request = get_request("/b/k");
  request.method = "PUT";
  request.payload_hash = "UNSIGNED-PAYLOAD";
  SigningTrace trace;
  test_signer().sign(request, at(2026, 11, 23), &trace);
  EXPECT_TRUE(trace.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(header_value(request, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
}

// Amazon S3 API Reference, "Examples: Signature Calculations in AWS Signature Version 4" and
// "Authenticating Requests: Using Query Parameters" (bucket examplebucket, 2013-05-24).
Signer aws_example_signer() {
  return Signer({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
                "us-east-1");
}

std::string signature_in(const std::string& authorization) {
  return authorization.substr(authorization.rfind("Signature=") + 10);
}

TEST(SigV4AwsS3Examples, GetObjectWithRange) {
  HttpRequest request = get_request("/test.txt");
  request.host = "examplebucket.s3.amazonaws.com";
  request.headers = {{"Range", "bytes=0-9"}};
  aws_example_signer().sign(request, at(2013, 5, 24));
  EXPECT_EQ(signature_in(header_value(request, "Authorization")),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4AwsS3Examples, PutObject) {
  HttpRequest request = get_request("/test$file.text");
  request.method = "PUT";
  request.host = "examplebucket.s3.amazonaws.com";
  request.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  request.payload_hash = util::sha256_hex("Welcome to Amazon S3.");
  aws_example_signer().sign(request, at(2013, 5, 24));
  EXPECT_EQ(signature_in(header_value(request, "Authorization")),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4AwsS3Examples, GetBucketLifecycleAndListObjects) {
  HttpRequest lifecycle = get_request("/");
  lifecycle.host = "examplebucket.s3.amazonaws.com";
  lifecycle.query = {{"lifecycle", ""}};
  aws_example_signer().sign(lifecycle, at(2013, 5, 24));
  EXPECT_EQ(signature_in(header_value(lifecycle, "Authorization")),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");

  HttpRequest list = get_request("/");
  list.host = "examplebucket.s3.amazonaws.com";
  list.query = {{"max-keys", "2"}, {"prefix", "J"}};
  aws_example_signer().sign(list, at(2013, 5, 24));
  EXPECT_EQ(signature_in(header_value(list, "Authorization")),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4AwsS3Examples, PresignedGet) {
  HttpRequest request = get_request("/test.txt");
  request.host = "examplebucket.s3.amazonaws.com";
  EXPECT_EQ(aws_example_signer().presign(request, "https", hours(24), at(2013, 5, 24)),
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4Signer, ResigningReplacesTheSigningHeadersInsteadOfAddingMore) {
  const Signer signer = test_signer("session-token");
  HttpRequest original = get_request("/b/k");
  original.headers = {{"Content-Type", "image/jpeg"}};

  HttpRequest retried = original;
  signer.sign(retried, at(2026, 11, 23, 10));
  const std::string first_authorization = header_value(retried, "Authorization");
  signer.sign(retried, at(2026, 11, 23, 10, 0, 5));

  HttpRequest fresh = original;
  signer.sign(fresh, at(2026, 11, 23, 10, 0, 5));
  EXPECT_EQ(retried.headers, fresh.headers);
  for (const char* name : {"Authorization", "X-Amz-Date", "X-Amz-Content-SHA256",
                           "X-Amz-Security-Token", "Content-Type"}) {
    EXPECT_EQ(header_count(retried, name), 1u) << name;
  }
  EXPECT_NE(header_value(retried, "Authorization"), first_authorization);
  EXPECT_EQ(header_value(retried, "X-Amz-Date"), "20261123T100005Z");
}

TEST(SigV4Signer, KeyCacheFollowsTheDateAcrossMidnight) {
  const Signer reused = test_signer();
  for (auto when : {at(2026, 11, 23, 23, 59, 59), at(2026, 11, 24), at(2026, 11, 23, 12)}) {
    HttpRequest a = get_request("/b/k");
    HttpRequest b = a;
    reused.sign(a, when);
    test_signer().sign(b, when);  // a fresh signer derives the key from scratch
    EXPECT_EQ(a.headers, b.headers);
  }
}

TEST(SigV4Signer, SigningFromManyThreadsGivesTheSameSignatures) {
  const Signer signer = test_signer();
  const std::vector<Clock::time_point> days = {at(2026, 11, 23, 12), at(2026, 11, 24, 12),
                                               at(2026, 11, 25, 12)};
  std::vector<std::string> expected;
  for (auto when : days) {
    HttpRequest request = get_request("/b/k");
    test_signer().sign(request, when);
    expected.push_back(header_value(request, "Authorization"));
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::size_t d = static_cast<std::size_t>(t + i) % days.size();
        HttpRequest request = get_request("/b/k");
        signer.sign(request, days[d]);
        if (header_value(request, "Authorization") != expected[d]) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(SigV4Signer, PresignPutsTheTokenInTheQueryAndSignsUnsignedPayload) {
  HttpRequest request = get_request("/b/k");
  request.payload_hash.clear();  // not needed: presigned S3 URLs sign UNSIGNED-PAYLOAD
  SigningTrace trace;
  const std::string url =
      test_signer("tok/en+=").presign(request, "http", minutes(15), at(2026, 11, 23), &trace);
  EXPECT_NE(url.find("&X-Amz-Security-Token=tok%2Fen%2B%3D&"), std::string::npos) << url;
  EXPECT_TRUE(trace.canonical_request.ends_with("\nhost\nUNSIGNED-PAYLOAD"));
}

TEST(SigV4Signer, PresigningASignedRequestIgnoresTheSigningHeaders) {
  const Signer signer = test_signer("token");
  HttpRequest request = get_request("/b/k");
  request.headers = {{"Range", "bytes=0-9"}};
  const std::string url = signer.presign(request, "http", minutes(5), at(2026, 11, 23));
  signer.sign(request, at(2026, 11, 22));
  EXPECT_EQ(signer.presign(request, "http", minutes(5), at(2026, 11, 23)), url);
  EXPECT_NE(url.find("X-Amz-SignedHeaders=host%3Brange&"), std::string::npos) << url;
}

// Every way to get an error out of the signer, with a secret key, a token and a header value
// that must not be echoed.
TEST(SigV4Errors, BadInputIsRejectedClearlyWithoutEchoingSecrets) {
  const std::string secret = "SECRET-must-not-leak/9f8e7d";
  const std::string token = "TOKEN-must-not-leak+abc";
  const std::string header_secret = "VALUE-must-not-leak";
  const Signer signer({"AKIDTEST", secret, token}, "us-east-1");

  std::vector<std::string> messages;
  auto expect_invalid = [&](const char* what, const std::string& needle, auto&& call) {
    try {
      call();
      ADD_FAILURE() << what << ": no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), Errc::invalid) << what;
      EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
          << what << ": " << error.what();
      messages.emplace_back(error.what());
    }
  };
  const auto now = at(2026, 11, 23);
  expect_invalid("empty access key", "access key", [&] {
    Signer({"", secret, token}, "us-east-1");
  });
  expect_invalid("empty secret", "secret key", [&] { Signer({"AKID", "", token}, "us-east-1"); });
  expect_invalid("token with a line break", "session token", [&] {
    Signer({"AKID", secret, token + "\r\nX: y"}, "us-east-1");
  });
  expect_invalid("empty region", "region", [&] { Signer({"AKID", secret, token}, ""); });
  expect_invalid("region with '/'", "region", [&] { Signer({"AKID", secret, token}, "us/east"); });

  auto with = [&](auto change) {
    HttpRequest request = get_request("/b/k");
    change(request);
    return request;
  };
  const std::vector<std::tuple<const char*, std::string, HttpRequest>> bad_requests = {
      {"no method", "method", with([](HttpRequest& r) { r.method.clear(); })},
      {"relative path", "path", with([](HttpRequest& r) { r.path = "b/k"; })},
      {"no host", "host", with([](HttpRequest& r) { r.host.clear(); })},
      {"bad payload hash", "payload_hash", with([](HttpRequest& r) { r.payload_hash = "ABC"; })},
      {"header value with CRLF", "'X-Secret'", with([&](HttpRequest& r) {
         r.headers = {{"X-Secret", header_secret + "\r\nEvil: 1"}};
       })},
      {"header name with a space", "header name", with([&](HttpRequest& r) {
         r.headers = {{"Bad Name", header_secret}};
       })},
  };
  for (const auto& [what, needle, request] : bad_requests) {
    HttpRequest copy = request;
    expect_invalid(what, needle, [&] { signer.sign(copy, now); });
    EXPECT_EQ(copy.headers, request.headers) << what << ": the request changed";
    if (std::string(what) != "bad payload hash") {
      expect_invalid(what, needle, [&] { signer.presign(copy, "http", minutes(5), now); });
    }
  }
  expect_invalid("zero expiry", "expire",
                 [&] { signer.presign(get_request("/b/k"), "http", seconds(0), now); });
  expect_invalid("expiry over 7 days", "expire",
                 [&] { signer.presign(get_request("/b/k"), "http", hours(24 * 7 + 1), now); });

  // What a correct signature looks like, so that it can be searched for too.
  HttpRequest good = get_request("/b/k");
  signer.sign(good, now);
  const std::string signature = signature_in(header_value(good, "Authorization"));
  ASSERT_EQ(signature.size(), 64u);

  ASSERT_EQ(messages.size(), 5u + 6u * 2u - 1u + 2u);
  for (const auto& message : messages) {
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
    EXPECT_EQ(message.find("must-not-leak"), std::string::npos) << message;
    EXPECT_EQ(message.find(signature), std::string::npos) << message;
    EXPECT_TRUE(message.starts_with("SigV4: ")) << message;
  }
}

}  // namespace
}  // namespace pindeck::s3
