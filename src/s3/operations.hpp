// SPDX-License-Identifier: Apache-2.0
// What the S3 operations take and give back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pindeck::s3 {

struct PutOptions {
  std::string content_type = "application/octet-stream";
  std::string cache_control;                    // empty = not sent
  std::map<std::string, std::string> metadata;  // sent as x-amz-meta-<name>
};

struct PutResult {
  std::string etag;
  std::uint64_t size = 0;
  bool multipart = false;
  int parts = 1;
};

// Bytes first..last of an object, both inclusive; no last = to the end.
struct ByteRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;
};

struct GetOptions {
  std::optional<ByteRange> range;
};

// What HeadObject and GetObject's response headers say about an object.
struct ObjectHead {
  std::uint64_t content_length = 0;  // bytes in this answer (the range's length for a range)
  std::string etag;
  std::string content_type;
  std::string cache_control;
  std::string content_range;                    // "bytes 0-99/1234" for a range
  std::string last_modified;                    // as the server wrote it (RFC 7231 date)
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix
};

struct GetResult {
  ObjectHead info;
  std::string body;  // empty when the body went to a file
};

struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;  // ISO 8601
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;  // from the previous page
  int max_keys = 0;                // 0 = the server's default (1000)
};

struct ListPage {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

struct DeleteFailure {
  std::string key;
  std::string code;
  std::string message;
};

struct DeleteResult {
  std::vector<std::string> deleted;
  std::vector<DeleteFailure> failed;
};

}  // namespace pindeck::s3
