// SPDX-License-Identifier: Apache-2.0
#include "s3/validation.hpp"

#include <string_view>

#include "pindeck/error.hpp"
#include "s3/limits.hpp"

namespace pindeck::s3 {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid, message);
}

bool has_control_character(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void validate_header_value(const std::string& what, const std::string& value) {
  if (has_control_character(value)) invalid(what + " contains a control character");
}

}  // namespace

void validate_key(const std::string& key) {
  if (key.empty()) invalid("S3 object key is empty");
  if (key.size() > kMaxKeyBytes) {
    invalid("S3 object key is " + std::to_string(key.size()) + " bytes (at most " +
            std::to_string(kMaxKeyBytes) + ")");
  }
  if (key.front() == '/') invalid("S3 object key '" + key + "' starts with '/'");
  if (key.find('\0') != std::string::npos || has_control_character(key)) {
    invalid("S3 object key contains a control character");
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t end = key.find('/', start);
    std::string_view segment(key.data() + start,
                             (end == std::string::npos ? key.size() : end) - start);
    const bool last = end == std::string::npos || end + 1 == key.size();
    if (segment.empty() && !last) invalid("S3 object key '" + key + "' contains '//'");
    if (segment == "." || segment == "..") {
      invalid("S3 object key '" + key + "' has a '.' or '..' segment");
    }
    if (segment.size() > kMaxKeySegmentBytes) {
      invalid("S3 object key '" + key + "' has a segment longer than " +
              std::to_string(kMaxKeySegmentBytes) + " bytes");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

void validate_object(const std::string& bucket, const std::string& key) {
  if (bucket.empty()) invalid("no S3 bucket is configured (set Config::bucket)");
  validate_key(key);
}

void validate_put_options(const PutOptions& options) {
  validate_header_value("Content-Type", options.content_type);
  validate_header_value("Cache-Control", options.cache_control);
  for (const auto& [name, value] : options.metadata) {
    bool ok = !name.empty();
    for (char c : name) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_');
    }
    if (!ok) invalid("metadata name '" + name + "' must be letters, digits, '-' and '_'");
    for (unsigned char c : value) {
      if (c < 0x20 || c >= 0x7f) {
        invalid("metadata '" + name + "' must be printable ASCII (S3 sends it in a header)");
      }
    }
  }
}

void validate_byte_range(const ByteRange& range) {
  if (range.last && *range.last < range.first) {
    invalid("byte range " + std::to_string(range.first) + "-" + std::to_string(*range.last) +
            " ends before it starts");
  }
}

void validate_list_options(const ListOptions& options) {
  if (options.max_keys < 0 || options.max_keys > kMaxKeysPerListPage) {
    invalid("ListObjectsV2 max_keys " + std::to_string(options.max_keys) + " is outside 0 to " +
            std::to_string(kMaxKeysPerListPage));
  }
}

void validate_presign_lifetime(std::chrono::seconds expires) {
  if (expires.count() < 1 || expires > kMaxPresignLifetime) {
    invalid("presigned URL lifetime " + std::to_string(expires.count()) +
            " s is outside 1 s to 7 days");
  }
}

}  // namespace pindeck::s3
