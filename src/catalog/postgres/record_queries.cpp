// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/record_queries.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>
#include <vector>

#include "catalog/colour_near.hpp"
#include "catalog/cursor.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/query_rules.hpp"
#include "catalog/record_text.hpp"
#include "model/enums.hpp"
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
    // Appended, not "$" + std::to_string(...): GCC 12 at -O3 warns (-Wrestrict, a false
    // positive) about a short literal plus a string temporary.
    std::string placeholder = "$";
    placeholder += std::to_string(params_.size());
    return placeholder;
  }

  std::string sql_;
  std::vector<Param> params_;
};

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

// The page of rows (doc, pk, distance), holding one row past `limit` at most.
PageRows read_page(const Rows& rows, int limit) {
  PageRows page;
  const int shown = std::min(rows.size(), limit);
  for (int i = 0; i < shown; ++i) {
    page.records.push_back(record_from_doc(rows.text(i, 0)));
    page.last_pk = rows.integer(i, 1);
    page.last_distance = rows.integer(i, 2);
  }
  page.more = rows.size() > limit;
  return page;
}

// Titles are ordered bytewise, as SQLite orders them, whatever the database's locale.
constexpr std::string_view title_order = "r.title COLLATE \"C\"";

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
  const std::string prefix = f.boolean(matches_as_prefix(words.back()));
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
  return list_page(read_page(db.exec(sql, f.params()), q.limit), q);
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
  return search_page(read_page(db.exec(sql, f.params()), q.limit), q, offset);
}

RecordStats count_records(Connection& db, const RecordQuery& q) {
  const auto colour = check_count_query(q);
  Filter f;
  add_record_filters(f, q);
  if (colour) f.add(near_condition(f, *colour));
  RecordStats stats;
  // Column names are fixed here, never input.
  const auto dimensions = counted_columns(stats);
  constexpr int dimension_count = static_cast<int>(std::tuple_size_v<decltype(dimensions)>);
  // One statement counts every dimension and the total in one pass over the selected records:
  // a grouping set per column, and the empty set for the total. GROUPING() tells the sets apart
  // (a bit per column, the first column's the highest, clear for the set grouping by it).
  std::string columns, sets;
  for (const auto& [column, counts] : dimensions) {
    columns += (columns.empty() ? "r." : ", r.") + std::string(column);
    sets += "(r." + std::string(column) + "), ";
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
        dimensions[static_cast<std::size_t>(i)].second->push_back({rows.text(row, i + 1), count});
      }
    }
  }
  for (const auto& [column, counts] : dimensions) {
    // Bytewise, as on SQLite (whatever the database's locale).
    sort_counts(*counts);
  }
  return stats;
}

}  // namespace pindeck::catalog::postgres
