#include "s3/sigv4.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "pindeck/error.hpp"
#include "s3/crypto.hpp"
#include "s3/uri_encode.hpp"

namespace pindeck::s3 {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid, "SigV4: " + message);
}

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
  if (year < 0 || year > 9999) invalid("the signing time is outside the years 0000-9999");
  Timestamp t;
  auto put = [&t](int at, unsigned value, int width) {
    for (int i = at + width - 1; i >= at; --i, value /= 10)
      t.text[i] = static_cast<char>('0' + value % 10);
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

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n\0"sv) != std::string_view::npos;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

bool is_valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && c != ':';
  });
}

// Header values can be tokens; the error names the header, never its value.
void check_header(std::string_view name, std::string_view value) {
  if (!is_valid_header_name(name)) {
    invalid("a header name is empty or holds a space, ':' or a control character");
  }
  if (has_line_break(value)) {
    invalid("the value of header '" + std::string(name) + "' holds CR, LF or NUL");
  }
}

bool is_lower_hex_sha256(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void check_payload_hash(std::string_view payload_hash) {
  // STREAMING-* covers aws-chunked uploads (DESIGN §10: opt-in, never the default).
  if (!is_lower_hex_sha256(payload_hash) && payload_hash != kUnsignedPayload &&
      !payload_hash.starts_with("STREAMING-")) {
    invalid("payload_hash must be the lower-case hex SHA-256 of the body or UNSIGNED-PAYLOAD");
  }
}

void check_request(const HttpRequest& request) {
  if (request.method.empty() || has_line_break(request.method) ||
      request.method.find(' ') != std::string::npos) {
    invalid("the request method is empty or holds a space or a line break");
  }
  if (request.path.empty() || request.path.front() != '/') {
    invalid("the request path must start with '/'");
  }
  for (const auto& [name, value] : request.headers) check_header(name, value);
}

// One header as it enters the canonical request: lower-case name, value with its outer blanks
// trimmed and inner runs of blanks folded to one space.
struct CanonicalHeader {
  std::string name;
  std::string value;
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

std::string trimmed_and_folded(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_blank = false;
  for (char c : value) {
    if (is_blank(c)) {
      pending_blank = !out.empty();
      continue;
    }
    if (pending_blank) out.push_back(' ');
    pending_blank = false;
    out.push_back(c);
  }
  return out;
}

// The headers that are signed, sorted by name, duplicates joined with ',' in the order sent.
// `replaced` names headers of the request the signer sets itself (so a re-sign drops the old
// ones); `added` are those it sets, already lower-case and canonical.
std::vector<CanonicalHeader> canonical_headers(
    const HttpRequest& request, const std::vector<std::string_view>& replaced,
    const std::vector<std::pair<std::string_view, std::string_view>>& added) {
  std::vector<CanonicalHeader> headers;
  headers.reserve(request.headers.size() + added.size() + 1);
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "authorization")) continue;
    if (std::any_of(replaced.begin(), replaced.end(),
                    [&](std::string_view r) { return iequals(name, r); })) {
      continue;
    }
    has_host = has_host || iequals(name, "host");
    headers.push_back({lower(name), trimmed_and_folded(value)});
  }
  if (!has_host) {
    if (request.host.empty() || has_line_break(request.host)) {
      invalid("the request has no host (neither HttpRequest::host nor a Host header)");
    }
    headers.push_back({"host", std::string(request.host)});
  }
  for (const auto& [name, value] : added)
    headers.push_back({std::string(name), std::string(value)});

  std::stable_sort(
      headers.begin(), headers.end(),
      [](const CanonicalHeader& a, const CanonicalHeader& b) { return a.name < b.name; });
  std::vector<CanonicalHeader> merged;
  merged.reserve(headers.size());
  for (auto& header : headers) {
    if (!merged.empty() && merged.back().name == header.name) {
      merged.back().value += ',';
      merged.back().value += header.value;
    } else {
      merged.push_back(std::move(header));
    }
  }
  return merged;
}

std::string signed_header_names(const std::vector<CanonicalHeader>& headers) {
  std::string names;
  for (const auto& header : headers) {
    if (!names.empty()) names += ';';
    names += header.name;
  }
  return names;
}

using EncodedQuery = std::vector<std::pair<std::string, std::string>>;

EncodedQuery encoded_query(const HttpRequest& request) {
  EncodedQuery query;
  query.reserve(request.query.size() + 6);
  for (const auto& [name, value] : request.query) {
    query.emplace_back(uri_encode(name, Slash::encode), uri_encode(value, Slash::encode));
  }
  return query;
}

// Sorted by encoded name, then encoded value; a parameter without a value is "name=".
std::string canonical_query(EncodedQuery query) {
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

// RFC 3986 dot-segment removal plus folding of empty segments, as every AWS service but S3 does
// before signing. A trailing '/' (or a trailing "." or "..") stays a trailing '/'.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view last;
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    last = path.substr(start, end - start);
    if (last == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!last.empty() && last != ".") {
      segments.push_back(last);
    }
    start = end + 1;
  }
  std::string out;
  for (auto segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || last.empty() || last == "." || last == "..") out += '/';
  return out;
}

std::string canonical_path(const HttpRequest& request, bool normalize) {
  return normalize ? uri_encode(normalized_path(request.path), Slash::keep)
                   : uri_encode(request.path, Slash::keep);
}

std::string build_canonical_request(const HttpRequest& request, bool normalize,
                                    const std::string& query,
                                    const std::vector<CanonicalHeader>& headers,
                                    const std::string& signed_headers,
                                    std::string_view payload_hash) {
  std::string out;
  out.reserve(256 + request.path.size() + query.size() + 64 * headers.size());
  out += request.method;
  out += '\n';
  out += canonical_path(request, normalize);
  out += '\n';
  out += query;
  out += '\n';
  for (const auto& header : headers) {
    out += header.name;
    out += ':';
    out += header.value;
    out += '\n';
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += payload_hash;
  return out;
}

std::string credential_scope(const Timestamp& timestamp, const std::string& region,
                             const std::string& service) {
  std::string scope;
  scope.reserve(8 + region.size() + service.size() + 16);
  scope += timestamp.date();
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  return scope;
}

std::string string_to_sign(const Timestamp& timestamp, const std::string& scope,
                           const std::string& canonical) {
  std::string out;
  out.reserve(kAlgorithm.size() + 16 + scope.size() + 64 + 3);
  out += kAlgorithm;
  out += '\n';
  out += timestamp.amz_date();
  out += '\n';
  out += scope;
  out += '\n';
  crypto::append_hex(out, crypto::sha256(canonical));
  return out;
}

}  // namespace

SigningRules SigningRules::for_service(std::string_view service) {
  if (service == "s3") return SigningRules{};
  return SigningRules{
      .normalize_path = true, .content_sha256_header = false, .presign_unsigned_payload = false};
}

// The signing key depends only on the date (region and service are fixed per Signer), so one
// slot is enough: it changes once a day. Derived under the lock; readers share it afterwards.
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
    invalid("the access key is empty or holds a space, '/', ',' or a line break");
  }
  if (credentials_.secret_key.empty()) invalid("the secret key is empty");
  if (has_line_break(credentials_.session_token)) {
    invalid("the session token holds CR, LF or NUL");
  }
  for (const auto* part : {&region_, &service_}) {
    if (part->empty() || part->find_first_of("/ \r\n"sv) != std::string::npos) {
      invalid("the region and the service must be non-empty and hold no '/', space or line break");
    }
  }
}

Signer::~Signer() {
  OPENSSL_cleanse(credentials_.secret_key.data(), credentials_.secret_key.size());
}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

namespace {

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
crypto::HmacSha256Key derive_signing_key(const std::string& secret, std::string_view date,
                                         const std::string& region, const std::string& service) {
  std::string seed = "AWS4" + secret;
  crypto::Digest key = crypto::hmac_sha256(seed, date);
  OPENSSL_cleanse(seed.data(), seed.size());
  for (std::string_view part :
       {std::string_view(region), std::string_view(service), "aws4_request"sv}) {
    key = crypto::hmac_sha256(crypto::as_view(key), part);
  }
  crypto::HmacSha256Key signing_key(crypto::as_view(key));
  OPENSSL_cleanse(key.data(), key.size());
  return signing_key;
}

}  // namespace

std::shared_ptr<const crypto::HmacSha256Key> Signer::signing_key(std::string_view date) const {
  std::lock_guard lock(keys_->mutex);
  if (keys_->key == nullptr || keys_->date != date) {
    keys_->key = std::make_shared<const crypto::HmacSha256Key>(
        derive_signing_key(credentials_.secret_key, date, region_, service_));
    keys_->date = date;
  }
  return keys_->key;
}

std::string Signer::sha256_hex(std::string_view data) {
  return crypto::to_hex(crypto::sha256(data));
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

// A header sign() adds: its canonical (lower-case) name, the name it is sent under, its value.
struct AddedHeader {
  std::string_view canonical_name;
  std::string_view sent_name;
  std::string_view value;
};

std::vector<AddedHeader> added_headers(const Timestamp& timestamp, const HttpRequest& request,
                                       const SigningRules& rules, const std::string& token) {
  std::vector<AddedHeader> added;
  added.push_back({"x-amz-date", "X-Amz-Date", timestamp.amz_date()});
  if (rules.content_sha256_header) {
    added.push_back({"x-amz-content-sha256", "X-Amz-Content-SHA256", request.payload_hash});
  }
  if (!token.empty()) added.push_back({"x-amz-security-token", "X-Amz-Security-Token", token});
  return added;
}

struct HeaderSigningForm {
  std::string signed_headers;
  std::string canonical_request;
};

HeaderSigningForm header_signing_form(const HttpRequest& request,
                                      const std::vector<AddedHeader>& added, bool normalize) {
  std::vector<std::string_view> replaced;
  std::vector<std::pair<std::string_view, std::string_view>> canonical_added;
  for (const auto& header : added) {
    replaced.push_back(header.canonical_name);
    canonical_added.emplace_back(header.canonical_name, header.value);
  }
  const auto headers = canonical_headers(request, replaced, canonical_added);
  HeaderSigningForm form;
  form.signed_headers = signed_header_names(headers);
  form.canonical_request =
      build_canonical_request(request, normalize, canonical_query(encoded_query(request)), headers,
                              form.signed_headers, request.payload_hash);
  return form;
}

}  // namespace

std::string Signer::canonical_request(const HttpRequest& request,
                                      std::chrono::system_clock::time_point now) const {
  check_request(request);
  check_payload_hash(request.payload_hash);
  const Timestamp timestamp = make_timestamp(now);
  return header_signing_form(request,
                             added_headers(timestamp, request, rules_, credentials_.session_token),
                             rules_.normalize_path)
      .canonical_request;
}

void Signer::sign(HttpRequest& request, std::chrono::system_clock::time_point now,
                  SigningTrace* trace) const {
  check_request(request);
  check_payload_hash(request.payload_hash);
  const Timestamp timestamp = make_timestamp(now);
  const auto added = added_headers(timestamp, request, rules_, credentials_.session_token);
  HeaderSigningForm form = header_signing_form(request, added, rules_.normalize_path);
  const std::string scope = credential_scope(timestamp, region_, service_);
  std::string to_sign = string_to_sign(timestamp, scope, form.canonical_request);

  std::string authorization;
  authorization.reserve(kAlgorithm.size() + credentials_.access_key.size() + scope.size() +
                        form.signed_headers.size() + 64 + 40);
  authorization += kAlgorithm;
  authorization += " Credential=";
  authorization += credentials_.access_key;
  authorization += '/';
  authorization += scope;
  authorization += ", SignedHeaders=";
  authorization += form.signed_headers;
  authorization += ", Signature=";
  crypto::append_hex(authorization, signing_key(timestamp.date())->mac(to_sign));

  // Only now that nothing can fail is the request changed (the added values view the timestamp,
  // payload_hash and the token, none of which lives in request.headers).
  std::erase_if(request.headers, [&](const auto& header) {
    return iequals(header.first, "authorization") ||
           std::any_of(added.begin(), added.end(), [&](const AddedHeader& a) {
             return iequals(header.first, a.canonical_name);
           });
  });
  for (const auto& header : added) request.headers.emplace_back(header.sent_name, header.value);
  request.headers.emplace_back("Authorization", std::move(authorization));
  if (trace != nullptr) *trace = {std::move(form.canonical_request), std::move(to_sign)};
}

std::string Signer::presign(const HttpRequest& request, const std::string& scheme,
                            std::chrono::seconds expires, std::chrono::system_clock::time_point now,
                            SigningTrace* trace) const {
  check_request(request);
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    invalid("a presigned URL must expire in 1 to 604800 seconds (7 days)");
  }
  std::string_view payload_hash = kUnsignedPayload;
  if (!rules_.presign_unsigned_payload) {
    check_payload_hash(request.payload_hash);
    payload_hash = request.payload_hash;
  }
  const Timestamp timestamp = make_timestamp(now);
  const std::string scope = credential_scope(timestamp, region_, service_);

  const auto headers = canonical_headers(request, {}, {});
  const std::string signed_headers = signed_header_names(headers);
  EncodedQuery query = encoded_query(request);
  const std::size_t own_parameters = query.size();
  query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  query.emplace_back("X-Amz-Credential",
                     uri_encode(credentials_.access_key + '/' + scope, Slash::encode));
  query.emplace_back("X-Amz-Date", timestamp.amz_date());
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", uri_encode(signed_headers, Slash::encode));
  if (!credentials_.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token",
                       uri_encode(credentials_.session_token, Slash::encode));
  }
  std::string canonical =
      build_canonical_request(request, rules_.normalize_path, canonical_query(query), headers,
                              signed_headers, payload_hash);
  std::string to_sign = string_to_sign(timestamp, scope, canonical);

  // The URL lists the request's own parameters as given, then the X-Amz-* ones, then the
  // signature: the order botocore and the AWS documentation use (servers sort them anyway).
  std::string out = scheme + "://" + request.host;
  append_uri_encoded(out, request.path, Slash::keep);
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
  crypto::append_hex(out, signing_key(timestamp.date())->mac(to_sign));
  if (trace != nullptr) *trace = {std::move(canonical), std::move(to_sign)};
  return out;
}

}  // namespace pindeck::s3
