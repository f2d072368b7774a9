// SPDX-License-Identifier: Apache-2.0
#include "s3/sigv4_canonical.hpp"

#include <algorithm>
#include <array>

#include "pindeck/error.hpp"
#include "s3/uri_encode.hpp"

namespace pindeck::s3::canonical {
namespace {

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool less_ignoring_case(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return to_lower(x) < to_lower(y); });
}

// For each byte of a header name: itself lower-cased, or 0 where HTTP allows no such byte
// (controls, space, ':', DEL and above).
constexpr std::array<char, 256> header_name_table() {
  std::array<char, 256> table{};
  for (int c = 0x21; c < 0x7f; ++c) table[c] = c == ':' ? '\0' : to_lower(static_cast<char>(c));
  return table;
}
constexpr std::array<char, 256> kHeaderName = header_name_table();

void append_lower_name(std::string& out, std::string_view name) {
  if (name.empty()) fail("a header name is empty");
  const std::size_t start = out.size();
  out.resize(start + name.size());
  char* to = out.data() + start;
  for (char c : name) {
    const char lower = kHeaderName[static_cast<unsigned char>(c)];
    if (lower == '\0') fail("a header name holds a space, ':' or a control character");
    *to++ = lower;
  }
}

// Values can be tokens: the error names the header, never the value.
void append_trimmed_value(std::string& out, const HeaderRef& header) {
  std::string_view value = header.value;
  while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
  bool needs_folding = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' || c == '\n' || c == '\0') {
      fail("the value of header '" + std::string(header.name) + "' holds CR, LF or NUL");
    }
    // A ' ' is never the last character here (the value is trimmed), so value[i + 1] exists.
    needs_folding = needs_folding || c == '\t' || (c == ' ' && value[i + 1] == ' ');
  }
  if (!needs_folding) {
    out.append(value);
    return;
  }
  bool after_blank = false;
  for (char c : value) {
    if (is_blank(c)) {
      if (!after_blank) out.push_back(' ');
      after_blank = true;
    } else {
      out.push_back(c);
      after_blank = false;
    }
  }
}

}  // namespace

void fail(const std::string& message) {
  throw Error(Errc::invalid, "SigV4: " + message);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

bool has_line_break(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

HeaderRefs headers_to_sign(const HttpRequest& request, std::span<const std::string_view> skipped,
                           std::span<const HeaderRef> added) {
  HeaderRefs headers;
  bool has_host = false;
  for (const auto& header : request.headers) {
    const std::string& name = header.first;
    if (iequals(name, "authorization") ||
        std::any_of(skipped.begin(), skipped.end(),
                    [&](std::string_view skip) { return iequals(name, skip); })) {
      continue;
    }
    has_host = has_host || iequals(name, "host");
    headers.push_back({name, header.second});
  }
  if (!has_host) {
    if (request.host.empty()) fail("the request has no host (neither HttpRequest::host nor Host)");
    headers.push_back({"host", request.host});
  }
  headers.insert(headers.end(), added.begin(), added.end());
  std::stable_sort(headers.begin(), headers.end(), [](const HeaderRef& a, const HeaderRef& b) {
    return less_ignoring_case(a.name, b.name);
  });
  return headers;
}

void append_headers(std::string& out, const HeaderRefs& headers) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && iequals(headers[i].name, headers[i - 1].name)) {
      out.back() = ',';  // the previous value's '\n'
    } else {
      append_lower_name(out, headers[i].name);
      out.push_back(':');
    }
    append_trimmed_value(out, headers[i]);
    out.push_back('\n');
  }
}

void append_signed_header_names(std::string& out, const HeaderRefs& headers) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && iequals(headers[i].name, headers[i - 1].name)) continue;
    if (i > 0) out.push_back(';');
    append_lower_name(out, headers[i].name);
  }
}

void append_path(std::string& out, std::string_view path, bool normalize) {
  if (normalize) {
    append_uri_encoded(out, normalized_path(path), Slash::keep);
  } else {
    append_uri_encoded(out, path, Slash::keep);
  }
}

EncodedQuery encoded_query(const HttpRequest& request) {
  EncodedQuery query;
  query.reserve(request.query.size());
  for (const auto& [name, value] : request.query) {
    query.emplace_back(uri_encode(name, Slash::encode), uri_encode(value, Slash::encode));
  }
  return query;
}

void append_query(std::string& out, EncodedQuery query) {
  std::sort(query.begin(), query.end());
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += query[i].first;
    out.push_back('=');
    out += query[i].second;
  }
}

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

}  // namespace pindeck::s3::canonical
