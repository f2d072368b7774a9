// SPDX-License-Identifier: Apache-2.0
#include "s3/sigv4.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <span>
#include <tuple>

#include "s3/crypto.hpp"
#include "s3/sigv4_canonical.hpp"
#include "s3/uri_encode.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"

namespace pindeck::s3 {
namespace {

using namespace std::string_view_literals;
using canonical::fail;
using canonical::has_line_break;
using canonical::HeaderRef;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

// "20261123T123456Z" and its first 8 characters, the date of the credential scope.
struct Timestamp {
  char text[16];
  std::string_view amz_date() const { return {text, 16}; }
  std::string_view date() const { return {text, 8}; }
};

Timestamp make_timestamp(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(now);
  const auto day = floor<days>(seconds);
  const year_month_day ymd{day};
  const hh_mm_ss hms{seconds - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) fail("the signing time is outside the years 0000-9999");
  Timestamp t;
  auto put = [&t](int at, unsigned value, int width) {
    for (int i = at + width - 1; i >= at; --i, value /= 10) {
      t.text[i] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, static_cast<unsigned>(year), 4);
  put(4, static_cast<unsigned>(ymd.month()), 2);
  put(6, static_cast<unsigned>(ymd.day()), 2);
  t.text[8] = 'T';
  put(9, static_cast<unsigned>(hms.hours().count()), 2);
  put(11, static_cast<unsigned>(hms.minutes().count()), 2);
  put(13, static_cast<unsigned>(hms.seconds().count()), 2);
  t.text[15] = 'Z';
  return t;
}

bool is_lower_hex_sha256(std::string_view text) {
  return text.size() == 64 && util::is_lower_hex(text);
}

void check_payload_hash(std::string_view payload_hash) {
  // STREAMING-* covers aws-chunked uploads (DESIGN §10: opt-in, never the default).
  if (!is_lower_hex_sha256(payload_hash) && payload_hash != kUnsignedPayload &&
      !payload_hash.starts_with("STREAMING-")) {
    fail("payload_hash must be the lower-case hex SHA-256 of the body or UNSIGNED-PAYLOAD");
  }
}

// Header names and values are checked while they are canonicalised.
void check_request_line(const HttpRequest& request) {
  if (request.method.empty() || has_line_break(request.method) ||
      request.method.find(' ') != std::string::npos) {
    fail("the request method is empty or holds a space or a line break");
  }
  if (request.path.empty() || request.path.front() != '/') {
    fail("the request path must start with '/'");
  }
}

void append_scope(std::string& out, const Timestamp& timestamp, std::string_view region,
                  std::string_view service) {
  out += timestamp.date();
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
}

// Everything of a canonical request but the query string, which the caller has already put in
// `out` after the path. Returns where the signed header names are in `out`.
std::pair<std::size_t, std::size_t> append_canonical_rest(std::string& out,
                                                          const canonical::HeaderRefs& headers,
                                                          std::string_view payload_hash) {
  out += '\n';
  canonical::append_headers(out, headers);
  out += '\n';
  const std::size_t names_at = out.size();
  canonical::append_signed_header_names(out, headers);
  const std::size_t names_size = out.size() - names_at;
  out += '\n';
  out += payload_hash;
  return {names_at, names_size};
}

std::string string_to_sign(const Timestamp& timestamp, std::string_view region,
                           std::string_view service, const std::string& canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + 16 + 8 + region.size() + service.size() + 14 + 64 + 3);
  out += kAlgorithm;
  out += '\n';
  out += timestamp.amz_date();
  out += '\n';
  append_scope(out, timestamp, region, service);
  out += '\n';
  util::append_hex(out, util::sha256(canonical_request));
  return out;
}

// A header sign() sets: its canonical (lower-case) name, the name it is sent under, its value.
struct AddedHeader {
  std::string_view canonical_name;
  std::string_view sent_name;
  std::string_view value;
};

// Sets a header the signer owns: the first one of that name is overwritten in place (keeping its
// storage, which makes re-signing cheap), any later one removed; appended when there is none.
void set_header(HttpRequest& request, std::string_view sent_name, std::string_view value) {
  auto& headers = request.headers;
  auto first = std::find_if(headers.begin(), headers.end(), [&](const auto& header) {
    return canonical::iequals(header.first, sent_name);
  });
  if (first == headers.end()) {
    headers.emplace_back(sent_name, value);
    return;
  }
  first->first.assign(sent_name);
  first->second.assign(value);
  headers.erase(std::remove_if(std::next(first), headers.end(),
                               [&](const auto& header) {
                                 return canonical::iequals(header.first, sent_name);
                               }),
                headers.end());
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
crypto::HmacSha256Key derive_signing_key(const std::string& secret, std::string_view date,
                                         std::string_view region, std::string_view service) {
  std::string seed = "AWS4" + secret;
  crypto::Digest key = crypto::hmac_sha256(seed, date);
  OPENSSL_cleanse(seed.data(), seed.size());
  for (std::string_view part : {region, service, "aws4_request"sv}) {
    key = crypto::hmac_sha256(util::as_view(key), part);
  }
  crypto::HmacSha256Key signing_key(util::as_view(key));
  OPENSSL_cleanse(key.data(), key.size());
  return signing_key;
}

}  // namespace

SigningRules SigningRules::for_service(std::string_view service) {
  if (service == "s3") return SigningRules{};
  return SigningRules{.normalize_path = true,
                      .path_is_encoded = true,
                      .content_sha256_header = false,
                      .presign_unsigned_payload = false};
}

// The signing key depends only on the date (region and service are fixed per Signer), so one
// slot is enough: it changes once a day. Derived under the lock; users share it afterwards.
struct Signer::KeyCache {
  std::mutex mutex;
  std::string date;
  std::shared_ptr<const crypto::HmacSha256Key> key;
};

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : Signer(std::move(credentials), std::move(region), service,
             SigningRules::for_service(service)) {}

Signer::Signer(Credentials credentials, std::string region, std::string service, SigningRules rules)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)),
      rules_(rules),
      keys_(std::make_unique<KeyCache>()) {
  if (credentials_.access_key.empty() || has_line_break(credentials_.access_key) ||
      credentials_.access_key.find_first_of(" /,") != std::string::npos) {
    fail("the access key is empty or holds a space, '/', ',' or a line break");
  }
  if (credentials_.secret_key.empty()) fail("the secret key is empty");
  if (has_line_break(credentials_.session_token)) fail("the session token holds CR, LF or NUL");
  for (const auto* part : {&region_, &service_}) {
    if (part->empty() || has_line_break(*part) || part->find_first_of("/ ") != std::string::npos) {
      fail("the region and the service must be non-empty and hold no '/', space or line break");
    }
  }
}

Signer::~Signer() {
  OPENSSL_cleanse(credentials_.secret_key.data(), credentials_.secret_key.size());
}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

std::shared_ptr<const crypto::HmacSha256Key> Signer::signing_key(std::string_view date) const {
  std::lock_guard lock(keys_->mutex);
  if (keys_->key == nullptr || keys_->date != date) {
    keys_->key = std::make_shared<const crypto::HmacSha256Key>(
        derive_signing_key(credentials_.secret_key, date, region_, service_));
    keys_->date = date;
  }
  return keys_->key;
}

std::string Signer::url(const HttpRequest& request, const std::string& scheme) {
  std::string out = scheme + "://" + request.host;
  append_uri_encoded(out, request.path, Slash::keep);
  char separator = '?';
  for (const auto& [name, value] : request.query) {
    out += separator;
    separator = '&';
    append_uri_encoded(out, name, Slash::encode);
    if (!value.empty()) {
      out += '=';
      append_uri_encoded(out, value, Slash::encode);
    }
  }
  return out;
}

namespace {

// The headers header signing sets, in the order it sets them.
struct SigningHeaders {
  std::array<AddedHeader, 3> headers;
  std::size_t count = 0;

  std::span<const AddedHeader> all() const { return {headers.data(), count}; }
};

SigningHeaders signing_headers(const Timestamp& timestamp, const HttpRequest& request,
                               const SigningRules& rules, const std::string& token) {
  SigningHeaders set;
  set.headers[set.count++] = {"x-amz-date", "X-Amz-Date", timestamp.amz_date()};
  if (rules.content_sha256_header) {
    set.headers[set.count++] = {"x-amz-content-sha256", "X-Amz-Content-SHA256",
                                request.payload_hash};
  }
  if (!token.empty()) {
    set.headers[set.count++] = {"x-amz-security-token", "X-Amz-Security-Token", token};
  }
  return set;
}

struct HeaderSigning {
  SigningHeaders added;
  std::string canonical_request;
  std::size_t signed_headers_at = 0;  // the signed header names inside canonical_request
  std::size_t signed_headers_size = 0;

  std::string_view signed_headers() const {
    return std::string_view(canonical_request).substr(signed_headers_at, signed_headers_size);
  }
};

HeaderSigning header_signing(const HttpRequest& request, const Timestamp& timestamp,
                             const SigningRules& rules, const std::string& token) {
  HeaderSigning signing;
  signing.added = signing_headers(timestamp, request, rules, token);
  std::array<std::string_view, 3> names;
  std::array<HeaderRef, 3> refs;
  for (std::size_t i = 0; i < signing.added.count; ++i) {
    names[i] = signing.added.headers[i].canonical_name;
    refs[i] = {signing.added.headers[i].canonical_name, signing.added.headers[i].value};
  }
  const auto headers =
      canonical::headers_to_sign(request, std::span(names.data(), signing.added.count),
                                 std::span(refs.data(), signing.added.count));

  std::string& out = signing.canonical_request;
  out.reserve(256 + 2 * request.path.size() + 96 * headers.size());
  out += request.method;
  out += '\n';
  canonical::append_path(out, request.path, rules.normalize_path);
  out += '\n';
  if (!request.query.empty()) canonical::append_query(out, canonical::encoded_query(request));
  std::tie(signing.signed_headers_at, signing.signed_headers_size) =
      append_canonical_rest(out, headers, request.payload_hash);
  return signing;
}

}  // namespace

std::string Signer::canonical_request(const HttpRequest& request,
                                      std::chrono::system_clock::time_point now) const {
  check_request_line(request);
  check_payload_hash(request.payload_hash);
  return header_signing(request, make_timestamp(now), rules_, credentials_.session_token)
      .canonical_request;
}

void Signer::sign(HttpRequest& request, std::chrono::system_clock::time_point now,
                  SigningTrace* trace) const {
  check_request_line(request);
  check_payload_hash(request.payload_hash);
  const Timestamp timestamp = make_timestamp(now);
  HeaderSigning signing = header_signing(request, timestamp, rules_, credentials_.session_token);
  std::string to_sign = string_to_sign(timestamp, region_, service_, signing.canonical_request);
  const crypto::Digest signature = signing_key(timestamp.date())->mac(to_sign);

  std::string authorization;
  authorization.reserve(kAlgorithm.size() + credentials_.access_key.size() + region_.size() +
                        service_.size() + signing.signed_headers().size() + 64 + 64);
  authorization += kAlgorithm;
  authorization += " Credential=";
  authorization += credentials_.access_key;
  authorization += '/';
  append_scope(authorization, timestamp, region_, service_);
  authorization += ", SignedHeaders=";
  authorization += signing.signed_headers();
  authorization += ", Signature=";
  util::append_hex(authorization, signature);

  // Only now that nothing can fail is the request changed. The added values view the timestamp,
  // request.payload_hash and the token, none of which lives in request.headers.
  for (const auto& header : signing.added.all()) {
    set_header(request, header.sent_name, header.value);
  }
  set_header(request, "Authorization", authorization);
  if (trace != nullptr) *trace = {std::move(signing.canonical_request), std::move(to_sign)};
}

std::string Signer::presign(const HttpRequest& request, const std::string& scheme,
                            std::chrono::seconds expires, std::chrono::system_clock::time_point now,
                            SigningTrace* trace) const {
  check_request_line(request);
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    fail("a presigned URL must expire in 1 to 604800 seconds (7 days)");
  }
  std::string_view payload_hash = kUnsignedPayload;
  if (!rules_.presign_unsigned_payload) {
    check_payload_hash(request.payload_hash);
    payload_hash = request.payload_hash;
  }
  const Timestamp timestamp = make_timestamp(now);
  // Headers that header signing sets (left from an earlier sign() of the same request) have no
  // place in a presigned URL, whose user would have to send them.
  std::array<std::string_view, 3> skipped;
  const auto signing_set = signing_headers(timestamp, request, rules_, credentials_.session_token);
  for (std::size_t i = 0; i < signing_set.count; ++i) {
    skipped[i] = signing_set.headers[i].canonical_name;
  }
  const auto headers =
      canonical::headers_to_sign(request, std::span(skipped.data(), signing_set.count), {});
  std::string signed_headers;
  canonical::append_signed_header_names(signed_headers, headers);
  std::string credential = credentials_.access_key + '/';
  append_scope(credential, timestamp, region_, service_);

  canonical::EncodedQuery query = canonical::encoded_query(request);
  const std::size_t own_parameters = query.size();
  query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  query.emplace_back("X-Amz-Credential", uri_encode(credential, Slash::encode));
  query.emplace_back("X-Amz-Date", timestamp.amz_date());
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", uri_encode(signed_headers, Slash::encode));
  if (!credentials_.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token",
                       uri_encode(credentials_.session_token, Slash::encode));
  }

  std::string canonical_request = request.method + '\n';
  canonical::append_path(canonical_request, request.path, rules_.normalize_path);
  canonical_request += '\n';
  canonical::append_query(canonical_request, query);
  append_canonical_rest(canonical_request, headers, payload_hash);
  std::string to_sign = string_to_sign(timestamp, region_, service_, canonical_request);

  // The URL lists the request's own parameters as given, then the X-Amz-* ones, then the
  // signature: the order botocore and the AWS documentation use (servers sort them anyway).
  std::string out = scheme + "://" + request.host;
  if (rules_.path_is_encoded) {
    out += request.path;
  } else {
    append_uri_encoded(out, request.path, Slash::keep);
  }
  char separator = '?';
  for (std::size_t i = 0; i < query.size(); ++i) {
    out += separator;
    separator = '&';
    out += query[i].first;
    if (i >= own_parameters || !query[i].second.empty()) {
      out += '=';
      out += query[i].second;
    }
  }
  out += "&X-Amz-Signature=";
  util::append_hex(out, signing_key(timestamp.date())->mac(to_sign));
  if (trace != nullptr) *trace = {std::move(canonical_request), std::move(to_sign)};
  return out;
}

}  // namespace pindeck::s3
