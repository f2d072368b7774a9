// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/record_queries.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "catalog/colour_near.hpp"
#include "catalog/cursor.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/record_queries.hpp"  // the limits both backends share
#include "model/enums.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// Collects a statement's conditions and the values of its placeholders. Only fixed SQL fragments
// go into the text; every value is a parameter, numbered in the order it is bound (so fragments
// may be built in any order, and one placeholder may appear several times).
class Filter {
 public:
  std::string text(std::string value) { return bind(std::move(value)) + "::text"; }
  std::string integer(std::int64_t value) { return bind(value) + "::bigint"; }
  std::string boolean(bool value) { return bind(value) + "::boolean"; }

  void add(const std::string& condition) { sql_ += " AND " + condition; }
  void add_equal(std::string_view column, const std::optional<std::string>& value) {
    if (value) add(std::string(column) + " = " + text(*value));
  }

  // " AND <condition>" for each condition added.
  const std::string& sql() const { return sql_; }
  std::span<const Param> params() const { return params_; }

 private:
  std::string bind(Param value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }

  std::string sql_;
  std::vector<Param> params_;
};

void check_tag_filters(const RecordQuery& q) {
  if (q.tags.size() > max_tag_filters) {
    throw Error(Errc::invalid, "tags: at most " + std::to_string(max_tag_filters) +
                                   " tags can be filtered on at once");
  }
}

// A query's colour filter, checked: what is near and how near.
struct ColourFilter {
  Rgb centre;
  std::int64_t limit_512;
};

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

// Rows `c` of record_colors inside the box around the filter's colour and within its distance:
// each red in range is one seek in the key (r, g, b, record_pk), green bounds the seek and blue
// is checked in the index; the exact distance is computed for those rows only.
struct NearColourSql {
  std::string rows;      // the condition on `c`
  std::string distance;  // redmean_distance_512 of `c` to the filter's colour
};

NearColourSql near_colour_sql(Filter& f, const ColourFilter& c) {
  const ColourBox box = colour_box(c.centre, c.limit_512);
  std::string reds = "{";
  for (int r = box.r_lo; r <= box.r_hi; ++r) {
    if (r > box.r_lo) reds += ',';
    reds += std::to_string(r);
  }
  reds += '}';
  const std::string r = f.integer(c.centre.r), g = f.integer(c.centre.g), b = f.integer(c.centre.b);
  std::string distance = "(1024 + " + r + " + c.r) * (c.r - " + r + ") * (c.r - " + r +
                         ") + 2048 * (c.g - " + g + ") * (c.g - " + g + ") + (1534 - " + r +
                         " - c.r) * (c.b - " + b + ") * (c.b - " + b + ")";
  std::string rows = "c.r = ANY(" + f.text(std::move(reds)) + "::integer[]) AND c.g BETWEEN " +
                     f.integer(box.g_lo) + " AND " + f.integer(box.g_hi) + " AND c.b BETWEEN " +
                     f.integer(box.b_lo) + " AND " + f.integer(box.b_hi) + " AND " + distance +
                     " <= " + f.integer(c.limit_512);
  return {std::move(rows), std::move(distance)};
}

// A table (pk, dist) of the records with a palette colour within the filter's distance, `dist`
// being redmean_distance_512 of the nearest.
std::string near_colours(Filter& f, const ColourFilter& c) {
  const NearColourSql near = near_colour_sql(f, c);
  return "(SELECT c.record_pk AS pk, MIN(" + near.distance +
         ") AS dist FROM record_colors c WHERE " + near.rows + " GROUP BY c.record_pk)";
}

// A condition on records `r`: a palette colour within the filter's distance.
std::string near_condition(Filter& f, const ColourFilter& c) {
  return "r.pk IN (SELECT c.record_pk FROM record_colors c WHERE " + near_colour_sql(f, c).rows +
         ")";
}

// Adds the query's filters on records `r`.
void add_record_filters(Filter& f, const RecordQuery& q) {
  const auto add_enum = [&](std::string_view column, const auto& value) {
    if (value) f.add(std::string(column) + " = " + f.text(std::string(model::to_string(*value))));
  };
  f.add_equal("r.category", q.category);
  f.add_equal("r.group_name", q.group);
  f.add_equal("r.project_name", q.project_name);
  f.add_equal("r.moodboard_name", q.moodboard_name);
  add_enum("r.source_type", q.source_type);
  add_enum("r.status", q.status);
  f.add_equal("r.genre", q.genre);
  f.add_equal("r.style", q.style);
  f.add_equal("r.shot", q.shot);
  add_enum("r.ai_status", q.ai_status);
  add_enum("r.variation_type", q.variation_type);
  for (const std::string& tag : q.tags) {
    // The full key of record_tags: one probe of its primary key per record.
    f.add("EXISTS (SELECT 1 FROM record_tags t WHERE t.tag = " + f.text(tag) +
          " AND t.uploaded_at = r.uploaded_at AND t.record_pk = r.pk)");
  }
  if (q.originals_only) f.add("r.parent_image_id IS NULL");
}

template <typename Expected>
Expected cursor_for(const RecordQuery& q, std::string_view what) {
  Cursor c = decode_cursor(*q.cursor);
  if (!std::holds_alternative<Expected>(c)) {
    throw Error(Errc::invalid, "cursor: belongs to a " + std::string(what) +
                                   " of another kind; start again without a cursor");
  }
  return std::get<Expected>(c);
}

// Up to `limit` records of rows (doc, pk, distance), and whether more rows follow.
struct PageRows {
  std::vector<Record> records;
  std::int64_t last_pk = 0;
  std::int64_t last_distance = 0;  // of the nearest colour, when ordered by closeness
  bool more = false;
};

PageRows read_page(const Rows& rows, int limit) {
  PageRows page;
  const int shown = std::min(rows.size(), limit);
  for (int i = 0; i < shown; ++i) {
    page.records.push_back(model::from_stored_json(nlohmann::json::parse(rows.text(i, 0))));
    page.last_pk = rows.integer(i, 1);
    page.last_distance = rows.integer(i, 2);
  }
  page.more = rows.size() > limit;
  return page;
}

// Titles are ordered bytewise, as SQLite orders them, whatever the database's locale.
constexpr std::string_view title_order = "r.title COLLATE \"C\"";

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The words of what a person typed, split as ../record_queries.cpp's fts_query splits them.
// Throws for blank text.
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

// The tsquery of typed text, with fts_query's meaning: every word required, the last one also as
// a prefix when it has at least min_prefix_chars characters. Each word is folded as
// pindeck_search_vector folds the records' text and parsed by phraseto_tsquery into the phrase of
// its lexemes, so tsquery operators in the text are just words; a word that has none (only
// punctuation) adds no condition. The prefix mark goes on the phrase's last lexeme, as FTS5 puts
// it on a phrase's last token. The words travel as one space-separated parameter: they hold no
// whitespace.
std::string typed_query(Filter& f, std::string_view text) {
  const std::vector<std::string> words = typed_words(text);
  std::string joined;
  for (const std::string& w : words) joined += (joined.empty() ? "" : " ") + w;
  const std::string all = f.text(std::move(joined));
  const std::string prefix = f.boolean(code_points(words.back()) >= min_prefix_chars);
  return "(SELECT coalesce(string_agg('(' || p::text || CASE WHEN w.n = cardinality(input.words) "
         "AND " +
         prefix +
         " THEN ':*' ELSE '' END || ')', ' & ' ORDER BY w.n), '')::tsquery AS query "
         "FROM (SELECT string_to_array(" +
         all +
         ", ' ') AS words) AS input, unnest(input.words) WITH ORDINALITY AS w(word, n), "
         "phraseto_tsquery('simple', pindeck_fold(w.word)) AS p WHERE numnode(p) > 0)";
}

}  // namespace

RecordPage list_records(Connection& db, const RecordQuery& q,
                        std::optional<std::string_view> parent_id) {
  const auto colour = check_query(q);
  Filter f;
  if (parent_id) f.add("r.parent_image_id = " + f.text(std::string(*parent_id)));
  add_record_filters(f, q);
  std::string sql;
  if (q.order == RecordOrder::closeness) {
    const std::string near = near_colours(f, *colour);
    if (q.cursor) {
      auto c = cursor_for<ClosenessCursor>(q, "list ordered by closeness");
      f.add("(near.dist, near.pk) > (" + f.integer(c.distance_512) + ", " + f.integer(c.pk) + ")");
    }
    sql = "SELECT r.doc, r.pk, near.dist FROM " + near +
          " AS near JOIN records r ON r.pk = near.pk WHERE true" + f.sql() +
          " ORDER BY near.dist, near.pk";
  } else {
    if (colour) f.add(near_condition(f, *colour));
    std::string order;
    if (q.order == RecordOrder::newest_first) {
      if (q.cursor) {
        auto c = cursor_for<TimeCursor>(q, "list ordered newest first");
        f.add("(r.uploaded_at, r.pk) < (" + f.integer(c.uploaded_at) + ", " + f.integer(c.pk) +
              ")");
      }
      order = " ORDER BY r.uploaded_at DESC, r.pk DESC";
    } else {
      if (q.cursor) {
        auto c = cursor_for<ProjectCursor>(q, "list ordered by project row");
        f.add("(r.project_sort, " + std::string(title_order) + ", r.pk) > (" +
              f.integer(c.project_sort) + ", " + f.text(c.title) + ", " + f.integer(c.pk) + ")");
      }
      order = " ORDER BY r.project_sort, " + std::string(title_order) + ", r.pk";
    }
    sql = "SELECT r.doc, r.pk, 0 FROM records r WHERE true" + f.sql() + order;
  }
  sql += " LIMIT " + f.integer(std::int64_t{q.limit} + 1);
  PageRows rows = read_page(db.exec(sql, f.params()), q.limit);
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

RecordPage search_records(Connection& db, std::string_view text, const RecordQuery& q) {
  model::require_utf8("text", text);
  const auto colour = check_query(q);
  Filter f;
  const std::string typed = typed_query(f, text);
  add_record_filters(f, q);
  std::string sql;
  std::int64_t offset = 0;
  if (q.order == RecordOrder::closeness) {
    const std::string near = near_colours(f, *colour);
    if (q.cursor) {
      auto c = cursor_for<ClosenessCursor>(q, "search ordered by closeness");
      f.add("(near.dist, near.pk) > (" + f.integer(c.distance_512) + ", " + f.integer(c.pk) + ")");
    }
    sql = "SELECT r.doc, r.pk, near.dist FROM " + typed + " AS typed CROSS JOIN " + near +
          " AS near JOIN records r ON r.pk = near.pk WHERE r.search @@ typed.query" + f.sql() +
          " ORDER BY near.dist, near.pk LIMIT " + f.integer(std::int64_t{q.limit} + 1);
  } else {
    // Results are ranked, not keyed, so a page starts at an offset (as on SQLite).
    offset = q.cursor ? cursor_for<OffsetCursor>(q, "search").offset : 0;
    if (colour) f.add(near_condition(f, *colour));
    sql = "SELECT r.doc, r.pk, 0 FROM " + typed +
          " AS typed JOIN records r ON r.search @@ typed.query WHERE true" + f.sql() +
          " ORDER BY ts_rank(r.search, typed.query) DESC, r.pk LIMIT " +
          f.integer(std::int64_t{q.limit} + 1) + " OFFSET " + f.integer(offset);
  }
  PageRows rows = read_page(db.exec(sql, f.params()), q.limit);
  RecordPage page{std::move(rows.records), std::nullopt};
  if (rows.more) {
    page.next_cursor = q.order == RecordOrder::closeness
                           ? encode_cursor(ClosenessCursor{rows.last_distance, rows.last_pk})
                           : encode_cursor(OffsetCursor{offset + q.limit});
  }
  return page;
}

RecordStats count_records(Connection& db, const RecordQuery& q) {
  check_tag_filters(q);
  Filter f;
  add_record_filters(f, q);
  if (q.color) {
    const ColourFilter colour{parse_query_colour("color", *q.color),
                              distance_limit_512("colorDistance", q.color_distance)};
    f.add(near_condition(f, colour));
  }
  RecordStats stats;
  // Column names are fixed here, never input.
  const std::pair<std::string_view, std::vector<ValueCount>*> dimensions[] = {
      {"r.category", &stats.category},
      {"r.group_name", &stats.group},
      {"r.genre", &stats.genre},
      {"r.style", &stats.style},
      {"r.project_name", &stats.project_name},
      {"r.moodboard_name", &stats.moodboard_name},
      {"r.source_type", &stats.source_type},
      {"r.status", &stats.status}};
  constexpr int dimension_count = static_cast<int>(std::size(dimensions));
  // One statement counts every dimension and the total in one pass over the selected records:
  // a grouping set per column, and the empty set for the total. GROUPING() tells the sets apart
  // (a bit per column, the first column's the highest, clear for the set grouping by it).
  std::string columns, sets;
  for (const auto& [column, counts] : dimensions) {
    columns += (columns.empty() ? "" : ", ") + std::string(column);
    sets += "(" + std::string(column) + "), ";
  }
  auto rows = db.exec("SELECT GROUPING(" + columns + "), " + columns +
                          ", count(*) FROM records r WHERE true" + f.sql() +
                          " GROUP BY GROUPING SETS (" + sets + "())",
                      f.params());
  for (int row = 0; row < rows.size(); ++row) {
    const std::int64_t grouped_out = rows.integer(row, 0);
    const std::int64_t count = rows.integer(row, dimension_count + 1);
    if (grouped_out == (std::int64_t{1} << dimension_count) - 1) {
      stats.total = count;
      continue;
    }
    for (int i = 0; i < dimension_count; ++i) {
      if ((grouped_out >> (dimension_count - 1 - i) & 1) != 0) continue;
      // Records without a value are left out of the field's list (RecordStats says why).
      if (!rows.is_null(row, i + 1)) {
        dimensions[i].second->push_back({rows.text(row, i + 1), count});
      }
    }
  }
  for (const auto& [column, counts] : dimensions) {
    // Most first, then by value bytewise, as on SQLite (whatever the database's locale).
    std::sort(counts->begin(), counts->end(), [](const ValueCount& a, const ValueCount& b) {
      return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
  }
  return stats;
}

}  // namespace pindeck::catalog::postgres
