// SPDX-License-Identifier: Apache-2.0
// The pieces of a SigV4 canonical request: path, query, headers and signed header names, each
// appended to one output string so that signing a request allocates little.
#pragma once

#include <boost/container/small_vector.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/sigv4.hpp"

namespace pindeck::s3::canonical {

// Throws pindeck::Error(invalid) with "SigV4: " and the message. Callers never put a secret in it.
[[noreturn]] void fail(const std::string& message);

// A header as the request carries it (any case, raw value): viewed, not copied.
struct HeaderRef {
  std::string_view name;
  std::string_view value;
};
using HeaderRefs = boost::container::small_vector<HeaderRef, 16>;

// The headers to sign, sorted by lower-case name (stably, so repeated headers keep their order):
// the request's own headers except Authorization and those named in `skipped` (any case), a Host
// header from request.host when the request has none, then `added`.
HeaderRefs headers_to_sign(const HttpRequest& request, std::span<const std::string_view> skipped,
                           std::span<const HeaderRef> added);

// "name:value\n" per header name: the name lower-cased, each value trimmed with inner runs of
// blanks folded to one space, the values of a repeated header joined with ','. Throws (naming the
// header, never quoting its value) for a name or value that cannot be sent.
void append_headers(std::string& out, const HeaderRefs& headers);

// "name1;name2;..." (lower-case, each name once).
void append_signed_header_names(std::string& out, const HeaderRefs& headers);

// The URI-encoded path ('/' kept), after removing dot segments and empty segments when
// `normalize` (every AWS service but S3).
void append_path(std::string& out, std::string_view path, bool normalize);

// Encoded name and value pairs, sorted by name then value, "name=value" joined with '&' (a
// parameter without a value is "name=").
using EncodedQuery = std::vector<std::pair<std::string, std::string>>;
EncodedQuery encoded_query(const HttpRequest& request);
void append_query(std::string& out, EncodedQuery query);

// RFC 3986 dot-segment removal plus folding of empty segments. A trailing '/' (or a trailing "."
// or "..") stays a trailing '/'.
std::string normalized_path(std::string_view path);

bool iequals(std::string_view a, std::string_view b);
bool has_line_break(std::string_view text);

}  // namespace pindeck::s3::canonical
