// SPDX-License-Identifier: Apache-2.0
// S3's limits that the client checks or works within, each written once here (S3 API reference;
// RustFS and radosgw enforce the same ones).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pindeck::s3 {

// ListObjectsV2 returns at most this many keys per page, and this many when not told otherwise.
inline constexpr int kMaxKeysPerListPage = 1000;
// DeleteObjects takes at most this many keys per request.
inline constexpr std::size_t kMaxKeysPerDeleteRequest = 1000;

// Every part of a multipart upload but the last is at least kMinPartSize bytes; no part is over
// kMaxPartSize; an upload has at most kMaxPartCount parts.
inline constexpr std::uint64_t kMinPartSize = 5ull << 20;
inline constexpr std::uint64_t kMaxPartSize = 5ull << 30;
inline constexpr std::uint64_t kMaxPartCount = 10000;

// An object key is at most this many bytes.
inline constexpr std::size_t kMaxKeyBytes = 1024;
// RustFS stores a key as a path, so each '/'-separated segment is a file name (DESIGN §10).
inline constexpr std::size_t kMaxKeySegmentBytes = 255;

// A presigned URL is valid for at most this long (SigV4's limit).
inline constexpr std::chrono::seconds kMaxPresignLifetime{7 * 24 * 3600};

}  // namespace pindeck::s3
