// SPDX-License-Identifier: Apache-2.0
// The names under which the library stores objects: bucket names and object keys. Every part
// that names or touches an object (the key namer in media, the object stores in pipeline, the S3
// client) checks with these, so they cannot disagree.
#pragma once

#include <cstddef>
#include <string_view>

namespace pindeck::model {

inline constexpr std::size_t max_object_key_bytes = 1024;
inline constexpr std::size_t max_key_segment_bytes = 255;
// Leaves room in max_object_key_bytes for the dated path and file name after it (DESIGN §3).
inline constexpr std::size_t max_key_prefix_bytes = 512;
inline constexpr std::size_t storage_id_hex_digits = 32;

// Throws Error(Errc::invalid) naming the bucket unless it follows S3's bucket naming rules:
// 3 to 63 characters of [a-z0-9.-], starting and ending with a letter or digit, no "..", and not
// an IPv4 address (such as 192.168.5.4).
void validate_bucket_name(std::string_view bucket);

// Throws Error(Errc::invalid) unless `key` is a key this library writes (DESIGN §3): only
// [a-z0-9/_.-], not empty, no leading or trailing '/', no empty, "." or ".." segment, at most
// 1024 bytes and each segment at most 255. Such a key is also a safe relative path, so no store
// ever touches anything outside its bucket.
void validate_object_key(std::string_view key);

// Throws Error(Errc::invalid) unless `storage_id` is a handle of the first-stage store: 32
// lowercase hexadecimal digits (so it is also a safe file name inside the store).
void validate_storage_id(std::string_view storage_id);

// The same rules for the prefix every key starts with (the prefix itself has no trailing '/').
// An empty prefix is allowed and means keys start at the top of the bucket; at most
// max_key_prefix_bytes.
void validate_key_prefix(std::string_view prefix);

}  // namespace pindeck::model
