// SPDX-License-Identifier: Apache-2.0
// Page cursors: the position after the last record of a page, as an opaque base64 token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace pindeck::catalog {

// After a page ordered newest first.
struct TimeCursor {
  std::int64_t uploaded_at;
  std::int64_t pk;  // the row's key: ties in time are broken by insertion order
};

// After a page ordered by project row.
struct ProjectCursor {
  std::int64_t project_sort;
  std::string title;
  std::int64_t pk;
};

// After a page ordered by closeness to a colour.
struct ClosenessCursor {
  std::int64_t distance_512;  // redmean_distance_512 of the record's nearest colour
  std::int64_t pk;
};

// After a page of search results, which are ranked, not keyed.
struct OffsetCursor {
  std::int64_t offset;
};

using Cursor = std::variant<TimeCursor, ProjectCursor, OffsetCursor, ClosenessCursor>;

std::string encode_cursor(const Cursor& cursor);

// Throws Error(Errc::invalid, "cursor: ...") for a token encode_cursor() did not make.
Cursor decode_cursor(std::string_view token);

}  // namespace pindeck::catalog
