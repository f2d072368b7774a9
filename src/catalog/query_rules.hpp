// SPDX-License-Identifier: Apache-2.0
// What both catalog backends ask of a RecordQuery before turning it into SQL: its limits, its
// colour filter, its cursor, and the words of a search text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "catalog/colour_near.hpp"
#include "catalog/cursor.hpp"
#include "pindeck/error.hpp"
#include "pindeck/query.hpp"

namespace pindeck::catalog {

inline constexpr int max_page_size = 1000;
inline constexpr std::size_t max_tag_filters = 10;

// The last word of a search also matches as a prefix once it is this long: shorter prefixes
// match a large part of the vocabulary and cost far more than they find.
inline constexpr std::size_t min_prefix_chars = 3;

// A query's colour filter, checked: what is near and how near.
struct ColourFilter {
  Rgb centre;
  std::int64_t limit_512;
};

// Errc::invalid for more tags than max_tag_filters.
void check_tag_filters(const RecordQuery& q);

// Checks the limit, the tags and the colour filter of a list or search; the colour filter, if any.
// Errc::invalid naming what is wrong.
std::optional<ColourFilter> check_query(const RecordQuery& q);

// check_query for a count, which has no limit, order or cursor.
std::optional<ColourFilter> check_count_query(const RecordQuery& q);

// The query's cursor, which must be of the kind `Expected`; Errc::invalid naming `what` (the
// listing it belongs to) otherwise.
template <typename Expected>
Expected cursor_for(const RecordQuery& q, std::string_view what) {
  Cursor c = decode_cursor(*q.cursor);
  if (!std::holds_alternative<Expected>(c)) {
    throw Error(Errc::invalid, "cursor: belongs to a " + std::string(what) +
                                   " of another kind; start again without a cursor");
  }
  return std::get<Expected>(c);
}

// Up to a query's limit of the records a page's statement selects, and whether more rows follow;
// the pk (and distance of the nearest colour, when ordered by closeness) of the last one.
struct PageRows {
  std::vector<Record> records;
  std::int64_t last_pk = 0;
  std::int64_t last_distance = 0;
  bool more = false;
};

// A page of list_records with `q`'s order: when more rows follow, a cursor that goes on after the
// last record.
RecordPage list_page(PageRows rows, const RecordQuery& q);

// A page of search_records: when more rows follow, a cursor that goes on after the last record
// when ordered by closeness, else at the offset after this page (which starts at `offset`).
RecordPage search_page(PageRows rows, const RecordQuery& q, std::int64_t offset);

// The fields RecordStats counts, as the records table's columns name them, and where each field's
// counts go.
using CountedColumn = std::pair<std::string_view, std::vector<ValueCount>*>;
std::array<CountedColumn, 8> counted_columns(RecordStats& stats);

// Sorts a field's counts as RecordStats lists them: most first, then by value bytewise.
void sort_counts(std::vector<ValueCount>& counts);

// The words of what a person typed, split at whitespace and NUL. Errc::invalid for blank text.
std::vector<std::string> typed_words(std::string_view text);

// Whether the last word of a search also matches as a prefix (min_prefix_chars characters).
bool matches_as_prefix(std::string_view last_word);

// The ids of every record `filter` lists (its limit and cursor are ignored), read page by page
// with `list_page`.
std::vector<std::string> ids_matching(
    RecordQuery filter, const std::function<RecordPage(const RecordQuery&)>& list_page);

}  // namespace pindeck::catalog
