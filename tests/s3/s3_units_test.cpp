// SPDX-License-Identifier: Apache-2.0
// The S3 client's parts that need no server: configuration, endpoint parsing, error and response
// XML, retry decisions and backoff, bodies and digests, argument checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "expect_invalid.hpp"
#include "s3/body.hpp"
#include "s3/client.hpp"
#include "s3/clock_skew.hpp"
#include "s3/config.hpp"
#include "s3/error.hpp"
#include "s3/retry.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

Config valid_config() {
  Config c;
  c.endpoint = "http://127.0.0.1:9";
  c.credentials = {"AKIDEXAMPLE", kSecret, ""};
  c.bucket = "pindeck";
  return c;
}

TEST(S3Config, ToStringRedactsSecretAndToken) {
  Config c = valid_config();
  c.credentials.session_token = "FQoGZXIvYXdzEXAMPLETOKEN";
  std::string text = c.to_string();
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(text.find("FQoGZXIvYXdzEXAMPLETOKEN"), std::string::npos);
  EXPECT_NE(text.find("AKIDEXAMPLE"), std::string::npos);
  EXPECT_NE(text.find("secret_key=(redacted)"), std::string::npos);
}

TEST(S3Config, ValidateNamesWhatIsWrong) {
  auto message_of = [](const Config& c) {
    try {
      c.validate();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid);
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  Config c = valid_config();
  EXPECT_NO_THROW(c.validate());
  c.endpoint = "ftp://x";
  EXPECT_NE(message_of(c).find("endpoint"), std::string::npos);
  c = valid_config();
  c.credentials.secret_key.clear();
  EXPECT_NE(message_of(c).find("secret key"), std::string::npos);
  c = valid_config();
  c.part_size = 4u << 20;
  EXPECT_NE(message_of(c).find("part_size"), std::string::npos);
  c = valid_config();
  c.max_parallel_parts = 0;
  EXPECT_NE(message_of(c).find("max_parallel_parts"), std::string::npos);
}

TEST(S3Endpoint, SplitsSchemeAndHostAndDropsDefaultPorts) {
  EXPECT_EQ(parse_endpoint("http://127.0.0.1:7480").host, "127.0.0.1:7480");
  EXPECT_EQ(parse_endpoint("http://127.0.0.1:7480/").host, "127.0.0.1:7480");
  EXPECT_EQ(parse_endpoint("https://s3.example.com:443").host, "s3.example.com");
  EXPECT_EQ(parse_endpoint("https://s3.example.com:443").scheme, "https");
  EXPECT_EQ(parse_endpoint("http://minio:80").host, "minio");
  EXPECT_EQ(parse_endpoint("http://[::1]:9000").host, "[::1]:9000");
  test::expect_invalid([] { parse_endpoint("s3.example.com"); }, "");
  test::expect_invalid([] { parse_endpoint("http://host/bucket"); }, "");
  test::expect_invalid([] { parse_endpoint("http://user@host"); }, "");
}

TEST(S3ErrorXml, ParsesCodeMessageRequestIdAndKeepsSignaturesOut) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match the signature you provided."
      "</Message><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n"
      "20150830T123600Z</StringToSign><SignatureProvided>"
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7</SignatureProvided>"
      "<RequestId>tx00000abc</RequestId><HostId>host</HostId></Error>";
  ErrorDetails d = parse_error(403, body);
  EXPECT_EQ(d.http_status, 403);
  EXPECT_EQ(d.code, "SignatureDoesNotMatch");
  EXPECT_EQ(d.request_id, "tx00000abc");
  EXPECT_NE(d.message.find("does not match"), std::string::npos);
  S3Error e("PutObject b/k", d, 1);
  EXPECT_EQ(e.code(), Errc::s3);
  EXPECT_EQ(e.s3_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(e.http_status(), 403);
  std::string what = e.what();
  EXPECT_NE(what.find("PutObject b/k"), std::string::npos);
  EXPECT_NE(what.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(what.find("5d672d79c15b"), std::string::npos);
  EXPECT_EQ(what.find("StringToSign"), std::string::npos);
}

// Found by fuzz_s3_xml: what the server says reaches the record's storagePersistError, which is
// stored as JSON; bytes that are not UTF-8, or a cut inside a character, made that store fail.
TEST(S3ErrorXml, WhatTheServerSaysBecomesOneLineOfValidUtf8) {
  const std::string message = std::string(299, 'a').append("\xC3\xA9");  // 'é' straddles the cut
  const ErrorDetails d =
      parse_error(503,
                  "<Error><Code>Slow\xFF"
                  "Down</Code><Message>" +
                      message + "</Message><RequestId>tx\x1B[2J1</RequestId></Error>");
  EXPECT_EQ(d.code,
            "Slow\xEF\xBF\xBD"
            "Down")
      << "an invalid byte becomes U+FFFD";
  EXPECT_EQ(d.message, std::string(299, 'a').append("...")) << "a character is never cut in two";
  EXPECT_EQ(d.request_id, "tx [2J1") << "control characters become spaces";
  EXPECT_EQ(parse_error(404, "", "req\xE2\x82").request_id, "req\xEF\xBF\xBD\xEF\xBF\xBD")
      << "each byte of a cut character becomes U+FFFD";
  EXPECT_EQ(
      parse_error(400, "<Error><Message>caf\xC3\xA9 \xF0\x9F\x99\x82</Message></Error>").message,
      "caf\xC3\xA9 \xF0\x9F\x99\x82")
      << "valid UTF-8 is kept";
}

TEST(S3ErrorXml, BodylessAnswersGetACodeFromTheStatus) {
  EXPECT_EQ(parse_error(404, "").code, "NotFound");
  EXPECT_EQ(parse_error(403, "not xml at all").code, "Forbidden");
  EXPECT_EQ(parse_error(503, "", "req-7").request_id, "req-7");
  EXPECT_TRUE(is_error_document("<Error><Code>InternalError</Code></Error>"));
  EXPECT_FALSE(is_error_document("<CompleteMultipartUploadResult/>"));
  EXPECT_FALSE(is_error_document(""));
}

TEST(S3Xml, ParsesAListingPage) {
  const std::string body =
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok+/=</NextContinuationToken>"
      "<Contents><Key>a &amp; b.jpg</Key><Size>12</Size><ETag>\"e1\"</ETag>"
      "<LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>"
      "<Contents><Key> </Key><Size>0</Size><ETag>\"e2\"</ETag></Contents>"
      "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>";
  ListPage page = xml::parse_list_page(body);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "a & b.jpg");
  EXPECT_EQ(page.objects[0].size, 12u);
  EXPECT_EQ(page.objects[0].etag, "\"e1\"");
  EXPECT_EQ(page.objects[1].key, " ");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "tok+/=");
  ASSERT_EQ(page.common_prefixes.size(), 1u);
  EXPECT_EQ(page.common_prefixes[0], "dir/");
  test::expect_error([] { xml::parse_list_page("<Error/>"); }, Errc::s3,
                     "S3 answer has <Error> where <ListBucketResult> was expected");
  test::expect_error(
      [] {
        xml::parse_list_page(
            "<ListBucketResult><Contents><Size>x</Size></Contents></ListBucketResult>");
      },
      Errc::s3, "S3 listing has a size that is not a number: 'x'");
}

// Found by fuzz_s3_xml: std::stoull read "-1" as 18446744073709551615 and "12abc" as 12.
TEST(S3Xml, AListedSizeMustBeADecimalNumberAndNothingElse) {
  for (const char* size : {"-1", " 12", "12abc", "+5", "0x10", "", "18446744073709551616"}) {
    SCOPED_TRACE(size);
    test::expect_error(
        [&] {
          xml::parse_list_page(std::string("<ListBucketResult><Contents><Key>k</Key><Size>") +
                               size + "</Size></Contents></ListBucketResult>");
        },
        Errc::s3, "S3 listing has a size that is not a number");
  }
  const ListPage page = xml::parse_list_page(
      "<ListBucketResult><Contents><Key>k</Key><Size>18446744073709551615</Size></Contents>"
      "</ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].size, 18446744073709551615u);
}

TEST(S3Xml, BuildsRequestDocumentsWithEscaping) {
  std::string del = xml::delete_objects_body({"a&b", "<c>"});
  EXPECT_NE(del.find("<Key>a&amp;b</Key>"), std::string::npos);
  EXPECT_NE(del.find("<Key>&lt;c&gt;</Key>"), std::string::npos);
  std::string done = xml::complete_multipart_body({"\"e1\"", "\"e2\""});
  EXPECT_NE(done.find("<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
                      "<Part><PartNumber>2</PartNumber>"),
            std::string::npos);
  EXPECT_EQ(xml::create_bucket_body("us-east-1"), "");
  EXPECT_NE(xml::create_bucket_body("eu-west-3").find("<LocationConstraint>eu-west-3<"),
            std::string::npos);
  EXPECT_EQ(xml::parse_upload_id("<InitiateMultipartUploadResult><UploadId>2~x</UploadId>"
                                 "</InitiateMultipartUploadResult>"),
            "2~x");
  DeleteResult r = xml::parse_delete_result(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_EQ(r.deleted.size(), 1u);
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].code, "AccessDenied");
}

TEST(S3ClockSkew, ReadsHttpDatesAndRefusesEverythingElse) {
  using namespace std::chrono;
  const auto date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(date);
  EXPECT_EQ(duration_cast<seconds>(date->time_since_epoch()).count(), 784111777);
  const auto leap = parse_http_date("Mon, 29 Feb 2044 23:59:59 GMT");
  ASSERT_TRUE(leap);
  EXPECT_EQ(duration_cast<seconds>(leap->time_since_epoch()).count(), 2340403199);
  for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
                          "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Nox 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMT "}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

TEST(S3ClockSkew, OnlyASkewCodeOrABare403FarFromTheServersTimeIsSkew) {
  using namespace std::chrono;
  const system_clock::time_point server{seconds(1'800'000'000)};
  EXPECT_TRUE(is_clock_skew_refusal(403, "RequestTimeTooSkewed", server, server));
  EXPECT_TRUE(is_clock_skew_refusal(403, "Forbidden", server - minutes(20), server));
  EXPECT_TRUE(is_clock_skew_refusal(403, "Forbidden", server + minutes(20), server));
  EXPECT_FALSE(is_clock_skew_refusal(403, "Forbidden", server + minutes(2), server));
  EXPECT_FALSE(is_clock_skew_refusal(403, "SignatureDoesNotMatch", server + minutes(20), server));
  EXPECT_FALSE(is_clock_skew_refusal(404, "NotFound", server + minutes(20), server));
}

TEST(S3Retry, RetriesOnlyTransientFailures) {
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(is_transient_s3_error(status, ""));
  for (int status : {400, 401, 403, 404, 405, 409, 411, 412, 416}) {
    EXPECT_FALSE(is_transient_s3_error(status, "AccessDenied")) << status;
  }
  EXPECT_TRUE(is_transient_s3_error(400, "RequestTimeout"));
  EXPECT_FALSE(is_transient_s3_error(403, "SignatureDoesNotMatch"));
  EXPECT_TRUE(is_transient_network_error(CURLE_COULDNT_CONNECT));
  EXPECT_TRUE(is_transient_network_error(CURLE_OPERATION_TIMEDOUT));
  EXPECT_TRUE(is_transient_network_error(CURLE_SEND_ERROR));
  EXPECT_TRUE(is_transient_network_error(CURLE_RECV_ERROR));
  EXPECT_FALSE(is_transient_network_error(CURLE_PEER_FAILED_VERIFICATION));
  EXPECT_FALSE(is_transient_network_error(CURLE_ABORTED_BY_CALLBACK));
  EXPECT_TRUE(failed_before_sending(CURLE_COULDNT_CONNECT));
  EXPECT_FALSE(failed_before_sending(CURLE_SEND_ERROR));
  EXPECT_TRUE(is_throttled(503, "SlowDown"));
  EXPECT_FALSE(is_throttled(500, "InternalError"));
}

TEST(S3Retry, BackoffIsFullJitterUnderAGrowingCap) {
  RequestRetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds(100);
  policy.max_delay = std::chrono::milliseconds(1000);
  std::mt19937_64 random(42);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const long long cap = std::min(1000LL, 100LL << (attempt - 1));
    long long largest = 0;
    long long smallest = cap;
    for (int i = 0; i < 2000; ++i) {
      long long d = backoff_delay(policy, attempt, random).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap);
      largest = std::max(largest, d);
      smallest = std::min(smallest, d);
    }
    EXPECT_GT(largest, cap * 9 / 10) << "attempt " << attempt;  // spread over the whole range
    EXPECT_LT(smallest, cap / 10 + 1) << "attempt " << attempt;
  }
  EXPECT_LE(backoff_delay(policy, 1000, random).count(), 1000);
}

TEST(S3Body, StreamsFileSlicesAndHashesThem) {
  const std::string path = ::testing::TempDir() + "/s3_body_test.bin";
  std::string data(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 1000);
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
  BodySource file = BodySource::from_file(File::open_for_reading(path));
  BodySource memory = BodySource::from_buffer(std::make_shared<const std::string>(data));
  EXPECT_EQ(file.size(), data.size());
  EXPECT_EQ(sha256_hex(file), sha256_hex(memory));
  EXPECT_EQ(sha256_hex(file.slice(1000, 5)),
            sha256_hex(BodySource::from_buffer(
                std::make_shared<const std::string>(data.substr(1000, 5)))));
  char out[8];
  EXPECT_EQ(file.slice(10, 4).read_at(2, out, sizeof out), 2u);
  EXPECT_EQ(std::string(out, 2), data.substr(12, 2));
  EXPECT_EQ(sha256_hex(BodySource()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  test::expect_error([&] { File::open_for_reading(path + ".missing"); }, Errc::not_found,
                     "cannot open for reading");
  std::filesystem::remove(path);
}

TEST(S3Client, RefusesBadArgumentsBeforeSendingAnything) {
  Client client(valid_config());  // port 9: nothing listens; nothing should be sent anyway
  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const Error& e) {
      return e.code();
    }
    return Errc::internal;
  };
  EXPECT_EQ(code_of([&] { client.put_buffer("", "x"); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.put_buffer("/abs", "x"); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.put_buffer("a//b", "x"); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.put_buffer("a/../b", "x"); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.put_buffer(std::string(1025, 'k'), "x"); }), Errc::invalid);
  EXPECT_EQ(code_of([&] {
              client.put_buffer("k", "x", {"text/plain\r\nX-Evil: 1", "", {}});
            }),
            Errc::invalid);
  EXPECT_EQ(code_of([&] {
              client.put_buffer("k", "x", {"text/plain", "", {{"bad name", "v"}}});
            }),
            Errc::invalid);
  EXPECT_EQ(code_of([&] { client.get_object("k", {ByteRange{10, 5}}); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.create_bucket("Bad_Bucket"); }), Errc::invalid);
  ListOptions too_many;
  too_many.max_keys = 5000;
  EXPECT_EQ(code_of([&] { client.list_objects(too_many); }), Errc::invalid);
  EXPECT_EQ(code_of([&] { client.put_file("k", "/nonexistent/file"); }), Errc::not_found);
  EXPECT_EQ(code_of([&] { (void)client.presign_get("k", std::chrono::hours(24 * 8)); }),
            Errc::invalid);
  EXPECT_EQ(code_of([&] { (void)client.presign_put("k", std::chrono::seconds(0)); }),
            Errc::invalid);
  EXPECT_EQ(code_of([&] { (void)client.presign_put("a/../b", std::chrono::minutes(5)); }),
            Errc::invalid);
}

TEST(S3Client, UnreachableServerIsANetworkErrorWithinTheRetryBound) {
  Config c = valid_config();
  c.endpoint = "http://127.0.0.1:9";  // discard port: connection refused
  c.retry.max_attempts = 3;
  c.retry.base_delay = std::chrono::milliseconds(10);
  c.retry.max_delay = std::chrono::milliseconds(20);
  Client client(c);
  const auto start = std::chrono::steady_clock::now();
  try {
    client.head_object("k");
    FAIL() << "HeadObject against a closed port succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network);
    EXPECT_NE(std::string(e.what()).find("HeadObject pindeck/k"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace pindeck::s3
