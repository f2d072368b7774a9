// SPDX-License-Identifier: Apache-2.0
#include "catalog/query_rules.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace pindeck::catalog {

void check_tag_filters(const RecordQuery& q) {
  if (q.tags.size() > max_tag_filters) {
    throw Error(Errc::invalid, "tags: at most " + std::to_string(max_tag_filters) +
                                   " tags can be filtered on at once");
  }
}

std::optional<ColourFilter> check_query(const RecordQuery& q) {
  if (q.limit < 1 || q.limit > max_page_size) {
    throw Error(Errc::invalid, "limit: must be between 1 and " + std::to_string(max_page_size) +
                                   " (got " + std::to_string(q.limit) + ")");
  }
  check_tag_filters(q);
  const std::int64_t limit_512 = distance_limit_512("colorDistance", q.color_distance);
  if (!q.color) {
    if (q.order == RecordOrder::closeness) {
      throw Error(Errc::invalid, "order: closeness needs a color to measure against");
    }
    return std::nullopt;
  }
  return ColourFilter{parse_query_colour("color", *q.color), limit_512};
}

std::optional<ColourFilter> check_count_query(const RecordQuery& q) {
  check_tag_filters(q);
  if (!q.color) return std::nullopt;
  return ColourFilter{parse_query_colour("color", *q.color),
                      distance_limit_512("colorDistance", q.color_distance)};
}

RecordPage list_page(PageRows rows, const RecordQuery& q) {
  RecordPage page{std::move(rows.records), std::nullopt};
  if (rows.more) {
    const Record& last = page.records.back();
    if (q.order == RecordOrder::newest_first) {
      page.next_cursor = encode_cursor(TimeCursor{last.uploaded_at, rows.last_pk});
    } else if (q.order == RecordOrder::project_row) {
      auto sort = last.project_order.value_or(std::numeric_limits<std::int64_t>::max());
      page.next_cursor = encode_cursor(ProjectCursor{sort, last.title, rows.last_pk});
    } else {
      page.next_cursor = encode_cursor(ClosenessCursor{rows.last_distance, rows.last_pk});
    }
  }
  return page;
}

RecordPage search_page(PageRows rows, const RecordQuery& q, std::int64_t offset) {
  RecordPage page{std::move(rows.records), std::nullopt};
  if (rows.more) {
    page.next_cursor = q.order == RecordOrder::closeness
                           ? encode_cursor(ClosenessCursor{rows.last_distance, rows.last_pk})
                           : encode_cursor(OffsetCursor{offset + q.limit});
  }
  return page;
}

std::array<CountedColumn, 8> counted_columns(RecordStats& stats) {
  return {{{"category", &stats.category},
           {"group_name", &stats.group},
           {"genre", &stats.genre},
           {"style", &stats.style},
           {"project_name", &stats.project_name},
           {"moodboard_name", &stats.moodboard_name},
           {"source_type", &stats.source_type},
           {"status", &stats.status}}};
}

void sort_counts(std::vector<ValueCount>& counts) {
  std::sort(counts.begin(), counts.end(), [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
}

std::vector<std::string> typed_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) words.push_back(std::exchange(word, {}));
  };
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  if (words.empty()) throw Error(Errc::invalid, "text: the search text must contain a word");
  return words;
}

bool matches_as_prefix(std::string_view last_word) {
  const auto code_points = static_cast<std::size_t>(
      std::count_if(last_word.begin(), last_word.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  return code_points >= min_prefix_chars;
}

std::vector<std::string> ids_matching(
    RecordQuery filter, const std::function<RecordPage(const RecordQuery&)>& list_page) {
  filter.limit = max_page_size;
  filter.cursor.reset();
  std::vector<std::string> ids;
  for (;;) {
    auto page = list_page(filter);
    for (auto& record : page.records) ids.push_back(std::move(record.id));
    if (!page.next_cursor) return ids;
    filter.cursor = std::move(page.next_cursor);
  }
}

}  // namespace pindeck::catalog
