// AWS Signature Version 4 for S3: ours on purpose (DESIGN §1), on OpenSSL's EVP API.
// This is the contract the rest of src/s3 builds on; sigv4.cpp implements it.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pindeck::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty when there is none
};

// A request as it will be sent, before signing.
struct HttpRequest {
  std::string method;  // "GET", "PUT", ...
  std::string host;    // as sent in the Host header: "127.0.0.1:7480"
  // The raw path, not yet URI-encoded: "/bucket/my key+1.jpg". The signer encodes each segment
  // once (RFC 3986 unreserved characters and '/' kept) and never normalises it.
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;    // raw names and values
  std::vector<std::pair<std::string, std::string>> headers;  // as they will be sent
  std::string payload_hash;  // lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

class Signer {
 public:
  Signer(Credentials credentials, std::string region, std::string service = "s3");

  // Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (when there is a token) and
  // Authorization to request.headers, signing every header the request carries.
  void sign(HttpRequest& request, std::chrono::system_clock::time_point now) const;

  // A presigned URL ("<scheme>://<host><encoded path>?<signed query>") valid for `expires`.
  std::string presign(const HttpRequest& request, const std::string& scheme,
                      std::chrono::seconds expires,
                      std::chrono::system_clock::time_point now) const;

  // "<scheme>://<host><encoded path>[?<encoded query>]" for sending the request as signed.
  static std::string url(const HttpRequest& request, const std::string& scheme);

  // Lower-case hex SHA-256 of data.
  static std::string sha256_hex(std::string_view data);
};

}  // namespace pindeck::s3
