// SPDX-License-Identifier: Apache-2.0
// Finding records: the filters, order and paging of Client::list() and Client::search(), a
// record's lineage (Client::family()), the counts of Client::stats(), and what
// Client::create_batch() reports for each record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pindeck/record.hpp"

namespace pindeck {

enum class RecordOrder {
  newest_first,  // uploadedAt, newest first
  project_row,   // projectOrder (records without one last), then title
  closeness,     // needs `color`: the record's palette colour nearest it first (ties in the order
                 // stored)
};

// Filters (all optional, combined with AND), order and paging for list() and search().
struct RecordQuery {
  std::optional<std::string> category;
  std::optional<std::string> group;
  std::optional<std::string> project_name;
  std::optional<std::string> moodboard_name;
  std::optional<SourceType> source_type;
  std::optional<RecordStatus> status;
  std::optional<std::string> genre;
  std::optional<std::string> style;
  std::optional<std::string> shot;
  std::optional<AiStatus> ai_status;
  std::optional<VariationType> variation_type;
  std::vector<std::string> tags;  // records carrying every one of these tags
  bool originals_only = false;    // only records without a parentImageId
  // Records with a palette colour within `color_distance` (redmean, DESIGN §8) of this colour:
  // #rgb, #rgba, #rrggbb or #rrggbbaa, '#' optional, any case, alpha ignored.
  std::optional<std::string> color;
  double color_distance = 78;  // 0 to 765 (black to white is about 764.8)
  // list(); search() ranks by relevance unless this is closeness
  RecordOrder order = RecordOrder::newest_first;
  int limit = 50;                     // 1 to 1000
  std::optional<std::string> cursor;  // next_cursor of the previous page
};

struct RecordPage {
  std::vector<Record> records;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// How many parent links Client::root() and Client::family() follow up from a record (DESIGN §8).
// A record further below its root than this is refused (Errc::conflict) rather than answered
// with an ancestor that is not the root.
inline constexpr int max_lineage_depth = 12;
// The most records Client::family() returns; a larger family is cut, nearest generations kept.
inline constexpr std::size_t max_family_records = 1000;
// The most ids one Client::set_project_order() takes.
inline constexpr std::size_t max_project_order_ids = 10000;

// A record's whole family: its root and every descendant of the root.
struct Family {
  Record root;
  // The root first, then each generation (children, grandchildren, ...), newest first within a
  // generation; at most max_family_records.
  std::vector<Record> records;
  bool complete = true;  // false when the family has more than max_family_records records
};

// How many records hold one value of a field.
struct ValueCount {
  std::string value;
  std::int64_t count = 0;

  bool operator==(const ValueCount&) const = default;
};

// What Client::stats() counts over the records a filter selects, as Pindeck's sidebar shows them.
// Each list holds the values records have, most common first (then by value, bytewise); records
// without a value for a field are left out of its list (total minus the list's sum is how many),
// so a value spelt "none" cannot be mistaken for them.
struct RecordStats {
  std::int64_t total = 0;
  std::vector<ValueCount> category;
  std::vector<ValueCount> group;
  std::vector<ValueCount> genre;
  std::vector<ValueCount> style;
  std::vector<ValueCount> project_name;
  std::vector<ValueCount> moodboard_name;
  std::vector<ValueCount> source_type;  // the names of SourceType
  std::vector<ValueCount> status;       // the names of RecordStatus

  bool operator==(const RecordStats&) const = default;
};

// What create_batch() did with one record.
struct CreateResult {
  Record record;         // as stored (or the one already stored under its externalId)
  bool created = false;  // false when an existing record was returned instead
};

}  // namespace pindeck
