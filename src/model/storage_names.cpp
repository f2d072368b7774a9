// SPDX-License-Identifier: Apache-2.0
#include "model/storage_names.hpp"

#include <algorithm>
#include <string>

#include "pindeck/error.hpp"
#include "util/hex.hpp"

namespace pindeck::model {
namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '.' ||
         c == '-';
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Four dot-separated groups of decimal digits, as S3 refuses them (an IP address as a bucket
// name would be ambiguous in virtual-host addressing).
bool looks_like_ipv4(std::string_view name) {
  int groups = 0;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('.', start), name.size());
    const std::string_view group = name.substr(start, end - start);
    if (group.empty() || group.size() > 3 ||
        !std::all_of(group.begin(), group.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    ++groups;
    start = end + 1;
  }
  return groups == 4;
}

// Checks the segments between '/' of a key or prefix; `what` names it in the error.
void validate_segments(std::string_view path, std::string_view what) {
  const std::string name(what);
  if (path.front() == '/') throw Error(Errc::invalid, name + " must not start with '/'");
  if (path.back() == '/') throw Error(Errc::invalid, name + " must not end with '/'");
  const auto bad = std::find_if_not(path.begin(), path.end(), is_key_char);
  if (bad != path.end()) {
    throw Error(Errc::invalid, name + " may only contain [a-z0-9/_.-], found '" +
                                   std::string(1, *bad) + "' in \"" + std::string(path) + "\"");
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) throw Error(Errc::invalid, name + " must not contain \"//\"");
    if (segment == "." || segment == "..") {
      throw Error(Errc::invalid, name + " must not contain a \".\" or \"..\" segment");
    }
    if (segment.size() > max_key_segment_bytes) {
      throw Error(Errc::invalid, name + " has a segment longer than " +
                                     std::to_string(max_key_segment_bytes) + " bytes");
    }
    start = end + 1;
  }
}

}  // namespace

void validate_bucket_name(std::string_view bucket) {
  const bool ok = bucket.size() >= 3 && bucket.size() <= 63 && is_lower_alnum(bucket.front()) &&
                  is_lower_alnum(bucket.back()) &&
                  std::all_of(bucket.begin(), bucket.end(),
                              [](char c) { return is_lower_alnum(c) || c == '-' || c == '.'; }) &&
                  bucket.find("..") == std::string_view::npos;
  if (!ok) {
    throw Error(Errc::invalid, "bucket \"" + std::string(bucket) +
                                   "\" is not a valid S3 bucket name (3-63 characters of "
                                   "[a-z0-9.-], starting and ending with a letter or digit, "
                                   "no \"..\")");
  }
  if (looks_like_ipv4(bucket)) {
    throw Error(Errc::invalid, "bucket \"" + std::string(bucket) +
                                   "\" is not a valid S3 bucket name (it is an IP address)");
  }
}

void validate_object_key(std::string_view key) {
  if (key.empty()) throw Error(Errc::invalid, "object key must not be empty");
  if (key.size() > max_object_key_bytes) {
    throw Error(Errc::invalid,
                "object key is longer than " + std::to_string(max_object_key_bytes) + " bytes");
  }
  validate_segments(key, "object key");
}

void validate_key_prefix(std::string_view prefix) {
  if (prefix.size() > max_key_prefix_bytes) {
    throw Error(Errc::invalid,
                "prefix is longer than " + std::to_string(max_key_prefix_bytes) + " bytes");
  }
  if (!prefix.empty()) validate_segments(prefix, "prefix");
}

void validate_storage_id(std::string_view storage_id) {
  if (storage_id.size() != storage_id_hex_digits || !util::is_lower_hex(storage_id)) {
    throw Error(Errc::invalid, "must be " + std::to_string(storage_id_hex_digits) +
                                   " lowercase hexadecimal digits (a first-stage store handle)");
  }
}

}  // namespace pindeck::model
