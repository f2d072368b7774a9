// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over SigV4 canonicalisation. The input is a raw HTTP request as the AWS test
// suite writes it (tests/data/sigv4/v4/*/request.txt): request line, "Name:value" lines, a blank
// line, the body. Signed with S3's rules and with another service's, it must give a canonical
// request of the shape SigV4 defines, made only of the characters allowed in each part, or
// Error(Errc::invalid); signing twice at the same time gives the same headers, a refused request is
// left unchanged, and URI encoding is reversible and idempotent where SigV4 says it is.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "s3/sigv4.hpp"
#include "s3/sigv4_canonical.hpp"
#include "s3/uri_encode.hpp"
#include "util/sha256.hpp"

namespace {

using pindeck::Errc;
using pindeck::fuzz::require;
using namespace pindeck::s3;

const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'795'000'000)};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int upper_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes SigV4 URI encoding, requiring that the text holds nothing else: unreserved characters,
// '/' when `slash` is kept, and %XX with upper-case hex.
std::string strict_uri_decode(std::string_view text, Slash slash) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      require(i + 2 < text.size() && upper_hex_value(text[i + 1]) >= 0 &&
                  upper_hex_value(text[i + 2]) >= 0,
              "URI encoding writes %XX with upper-case hex");
      out.push_back(
          static_cast<char>(upper_hex_value(text[i + 1]) * 16 + upper_hex_value(text[i + 2])));
      i += 2;
    } else {
      require(is_unreserved(text[i]) || (text[i] == '/' && slash == Slash::keep),
              "URI-encoded text holds only unreserved characters, %XX (and '/' in paths)");
      out.push_back(text[i]);
    }
  }
  return out;
}

void check_uri_encoding(std::string_view raw) {
  for (const Slash slash : {Slash::encode, Slash::keep}) {
    const std::string encoded = uri_encode(raw, slash);
    require(strict_uri_decode(encoded, slash) == raw, "URI encoding decodes back to its input");
  }
}

void check_normalized_path(std::string_view path) {
  const std::string normal = canonical::normalized_path(path);
  require(normal.starts_with('/'), "a normalised path starts with '/'");
  require(normal.find("//") == std::string::npos, "a normalised path has no empty segment");
  for (std::string_view segment : split(std::string_view(normal).substr(1), '/')) {
    require(segment != "." && segment != "..", "a normalised path has no dot segment");
  }
  require(canonical::normalized_path(normal) == normal, "normalising a path twice changes nothing");
}

struct Request {
  HttpRequest http;
  bool parsed = false;
};

// Lines end with '\n'; the request target runs from the first space to the last one.
Request parse_request(std::string_view text) {
  Request request;
  std::size_t line_end = text.find('\n');
  const std::string_view line = text.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) return request;
  HttpRequest& http = request.http;
  http.method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  const std::size_t question = target.find('?');
  http.path = target.substr(0, question);
  if (question != std::string_view::npos) {
    for (std::string_view pair : split(target.substr(question + 1), '&')) {
      const std::size_t equals = pair.find('=');
      http.query.emplace_back(pair.substr(0, equals), equals == std::string_view::npos
                                                          ? std::string_view()
                                                          : pair.substr(equals + 1));
    }
  }
  std::string_view body;
  std::size_t at = line_end == std::string_view::npos ? text.size() : line_end + 1;
  while (at < text.size()) {
    line_end = text.find('\n', at);
    const std::string_view header = text.substr(at, line_end - at);
    at = line_end == std::string_view::npos ? text.size() : line_end + 1;
    if (header.empty()) {
      body = text.substr(at);
      break;
    }
    const std::size_t colon = header.find(':');
    http.headers.emplace_back(header.substr(0, colon), colon == std::string_view::npos
                                                           ? std::string_view()
                                                           : header.substr(colon + 1));
  }
  http.host = "127.0.0.1:7480";
  http.payload_hash = pindeck::util::sha256_hex(body);
  request.parsed = true;
  return request;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != ':' && !(c >= 'A' && c <= 'Z');
  });
}

bool is_canonical_value(std::string_view value) {
  return value.find_first_of("\r\n\t") == std::string_view::npos && !value.starts_with(' ') &&
         !value.ends_with(' ') && value.find("  ") == std::string_view::npos &&
         value.find('\0') == std::string_view::npos;
}

// method \n path \n query \n (name:value \n)* \n signed-names \n payload-hash
void check_canonical_request(const std::string& text, const HttpRequest& request,
                             const SigningRules& rules) {
  const std::vector<std::string_view> lines = split(text, '\n');
  require(lines.size() >= 6, "a canonical request has at least six lines");
  require(lines[0] == request.method, "a canonical request starts with the method");
  require(lines[1].starts_with('/'), "a canonical path starts with '/'");
  const std::string path = strict_uri_decode(lines[1], Slash::keep);
  if (!rules.normalize_path && !rules.path_is_encoded) {
    require(path == request.path, "S3's canonical path is the raw path, encoded once");
  }
  if (rules.normalize_path) {
    require(path == canonical::normalized_path(request.path),
            "another service's canonical path is its normalised path, encoded once more");
  }
  if (!lines[2].empty()) {
    // Sorted by encoded name, then value: "a=2&a-b=1", although "a-b=1" < "a=2" as text.
    std::vector<std::pair<std::string_view, std::string_view>> parameters;
    for (std::string_view parameter : split(lines[2], '&')) {
      const std::size_t equals = parameter.find('=');
      require(equals != std::string_view::npos, "every canonical query parameter has '='");
      parameters.emplace_back(parameter.substr(0, equals), parameter.substr(equals + 1));
      strict_uri_decode(parameters.back().first, Slash::encode);
      strict_uri_decode(parameters.back().second, Slash::encode);
    }
    require(std::is_sorted(parameters.begin(), parameters.end()),
            "canonical query parameters are sorted by name, then value");
  }
  const std::size_t blank = lines.size() - 3;
  require(lines[blank].empty(), "the header lines end with a blank line");
  std::string names;
  bool has_host = false;
  for (std::size_t i = 3; i < blank; ++i) {
    const std::size_t colon = lines[i].find(':');
    require(colon != std::string_view::npos, "a canonical header line has ':'");
    const std::string_view name = lines[i].substr(0, colon);
    require(is_header_name(name), "a canonical header name is a lower-case HTTP token");
    require(is_canonical_value(lines[i].substr(colon + 1)),
            "a canonical header value is trimmed, with blanks folded to one space");
    if (i > 3) {
      const std::string_view previous = lines[i - 1].substr(0, lines[i - 1].find(':'));
      require(previous < name, "canonical header names are sorted and each is there once");
      names += ';';
    }
    names += name;
    has_host = has_host || name == "host";
  }
  require(has_host, "the host header is always signed");
  require(lines[blank + 1] == names, "the signed header names are those of the header lines");
  require(lines[blank + 2] == request.payload_hash || lines[blank + 2] == "UNSIGNED-PAYLOAD",
          "a canonical request ends with the payload hash");
}

void check_signing(const Signer& signer, const SigningRules& rules, const HttpRequest& request) {
  try {
    check_canonical_request(signer.canonical_request(request, kNow), request, rules);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "canonical_request");
  }
  HttpRequest signed_once = request;
  try {
    signer.sign(signed_once, kNow);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "sign");
    require(signed_once.headers == request.headers, "a request that cannot be signed is unchanged");
    return;
  }
  HttpRequest signed_twice = signed_once;
  signer.sign(signed_twice, kNow);
  require(signed_twice.headers == signed_once.headers,
          "signing a signed request again at the same time changes nothing");
  try {
    signer.presign(request, "https", std::chrono::seconds(900), kNow);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "presign");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const Signer s3_signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""},
                                "us-east-1", "s3");
  static const SigningRules service_rules = SigningRules::for_service("service");
  static const Signer service_signer(
      {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"}, "us-east-1",
      "service", service_rules);
  check_uri_encoding(text);
  check_normalized_path(text);
  const Request request = parse_request(text);
  if (!request.parsed) return 0;
  check_signing(s3_signer, SigningRules{}, request.http);
  check_signing(service_signer, service_rules, request.http);
  return 0;
}
