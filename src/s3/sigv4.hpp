// SPDX-License-Identifier: Apache-2.0
// AWS Signature Version 4 for S3: ours on purpose (DESIGN §1), on OpenSSL's EVP API.
// This is the contract the rest of src/s3 builds on; sigv4.cpp implements it.
//
// Rules that matter for S3 (and that differ from other AWS services): the path is URI-encoded once
// per segment and never normalised, x-amz-content-sha256 is always sent and signed, and presigned
// URLs sign "UNSIGNED-PAYLOAD". Errors never quote the secret key, a token or a signature.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pindeck::s3 {

namespace crypto {
class HmacSha256Key;
}

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty when there is none
};

// A request as it will be sent, before signing.
struct HttpRequest {
  std::string method;  // "GET", "PUT", ...
  std::string host;    // as sent in the Host header: "127.0.0.1:7480"
  // For S3 the raw path, not yet URI-encoded: "/bucket/my key+1.jpg". The signer encodes each
  // segment once (RFC 3986 unreserved characters and '/' kept) and never normalises it. For other
  // services, the path as sent (see SigningRules::path_is_encoded).
  std::string path;
  // Raw names and values. An empty value is signed as "name=" and sent as "name" (?uploads).
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // as they will be sent
  std::string payload_hash;  // lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// How the signer treats what differs between S3 and the other AWS services. The defaults are S3's;
// for_service() gives the usual rules of any other service.
struct SigningRules {
  // Remove "." and ".." segments and empty segments ("//") before signing. Never for S3, whose
  // keys may contain them.
  bool normalize_path = false;
  // HttpRequest::path is given as sent, already URI-encoded, and URLs use it as it is. The
  // canonical path encodes it once more: the double encoding AWS specifies for every service but
  // S3, whose canonical path is the raw path encoded once.
  bool path_is_encoded = false;
  // Header signing adds and signs x-amz-content-sha256. S3 requires it on every request.
  bool content_sha256_header = true;
  // Presigned URLs sign "UNSIGNED-PAYLOAD" (the body is unknown when the URL is made) instead of
  // the request's payload_hash.
  bool presign_unsigned_payload = true;

  static SigningRules for_service(std::string_view service);
};

// The texts a signature was computed over, to compare with what a server reports in a
// SignatureDoesNotMatch error. They hold no secret key or signature, but the canonical request
// holds the session token when there is one: never log it as it is.
struct SigningTrace {
  std::string canonical_request;
  std::string string_to_sign;
};

// Signs requests with one set of credentials for one region and service. sign() and presign()
// may be called from several threads at once; the signing key of the day is derived once and
// shared. A moved-from Signer may only be destroyed or assigned to.
class Signer {
 public:
  // Throws pindeck::Error(invalid) when a credential, the region or the service is empty or holds
  // characters that cannot go in a header.
  Signer(Credentials credentials, std::string region, std::string service = "s3");
  Signer(Credentials credentials, std::string region, std::string service, SigningRules rules);
  ~Signer();
  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;

  // Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (when there is a token) and
  // Authorization to request.headers, signing every header the request carries. Signing again
  // (a retry with a fresh date) replaces those headers instead of adding a second copy.
  // Throws pindeck::Error(invalid) for a request that cannot be signed (no method or host, a path
  // without a leading '/', a bad payload_hash, a header name or value with CR/LF); the request is
  // then left unchanged.
  void sign(HttpRequest& request, std::chrono::system_clock::time_point now,
            SigningTrace* trace = nullptr) const;

  // A presigned URL ("<scheme>://<host><encoded path>?<signed query>") valid for `expires`
  // (1 s to 7 days). It signs the host and every header in request.headers, which the user of
  // the URL must then send as they are.
  std::string presign(const HttpRequest& request, const std::string& scheme,
                      std::chrono::seconds expires, std::chrono::system_clock::time_point now,
                      SigningTrace* trace = nullptr) const;

  // The canonical request sign() would build at `now`, without signing it.
  std::string canonical_request(const HttpRequest& request,
                                std::chrono::system_clock::time_point now) const;

  // "<scheme>://<host><encoded path>[?<encoded query>]" for sending the request as signed.
  static std::string url(const HttpRequest& request, const std::string& scheme);

  const std::string& region() const { return region_; }
  const std::string& service() const { return service_; }

 private:
  struct KeyCache;
  std::shared_ptr<const crypto::HmacSha256Key> signing_key(std::string_view date) const;

  Credentials credentials_;
  std::string region_;
  std::string service_;
  SigningRules rules_;
  std::unique_ptr<KeyCache> keys_;
};

}  // namespace pindeck::s3
