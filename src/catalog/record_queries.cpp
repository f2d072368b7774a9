// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_queries.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/colour_near.hpp"
#include "catalog/cursor.hpp"
#include "catalog/record_text.hpp"
#include "model/enums.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

// A value bound to a placeholder: text or a whole number.
struct Param {
  Param(std::string t) : text(std::move(t)) {}
  Param(std::int64_t n) : number(n) {}

  std::optional<std::string> text;
  std::int64_t number = 0;
};

// Collects the WHERE clause of a query and the values bound to its placeholders. Only fixed SQL
// fragments go into the text; every value is a bound parameter.
class Filter {
 public:
  void add(std::string_view sql_with_placeholders, std::vector<Param> values) {
    sql_ += " AND ";
    sql_ += sql_with_placeholders;
    for (auto& v : values) params_.push_back(std::move(v));
  }
  void add_if(std::string_view sql, const std::optional<std::string>& value) {
    if (value) add(sql, {*value});
  }
  void param(Param v) { params_.push_back(std::move(v)); }

  const std::string& sql() const { return sql_; }

  void bind_all(Statement& stmt) const {
    int i = 1;
    for (const auto& p : params_) {
      if (p.text) {
        stmt.bind(i++, *p.text);
      } else {
        stmt.bind(i++, p.number);
      }
    }
  }

 private:
  std::string sql_;
  std::vector<Param> params_;
};

// The reds of the box, as a JSON array for json_each: each is one seek in the colour index.
std::string reds_of(const ColourBox& box) {
  nlohmann::json reds = nlohmann::json::array();
  for (int r = box.r_lo; r <= box.r_hi; ++r) reds.push_back(r);
  return reds.dump();
}

// Rows `c` of record_colors inside the box around the filter's colour (every red in range is one
// seek, green bounds the seek, blue is checked in the index), and the rows' redmean_distance_512
// to it, computed exactly for those rows only.
struct NearColourSql {
  std::string in_box;
  std::vector<Param> in_box_params;
  std::string distance;
  std::vector<Param> distance_params;
};

NearColourSql near_colour_sql(const ColourFilter& c) {
  const ColourBox box = colour_box(c.centre, c.limit_512);
  const std::int64_t r = c.centre.r, g = c.centre.g, b = c.centre.b;
  return {"c.r IN (SELECT value FROM json_each(?)) AND c.g BETWEEN ? AND ? AND c.b BETWEEN ? AND ?",
          {reds_of(box), std::int64_t{box.g_lo}, std::int64_t{box.g_hi}, std::int64_t{box.b_lo},
           std::int64_t{box.b_hi}},
          "(1024 + ? + c.r) * (c.r - ?) * (c.r - ?) + 2048 * (c.g - ?) * (c.g - ?) "
          "+ (1534 - ? - c.r) * (c.b - ?) * (c.b - ?)",
          {r, r, r, g, g, r, b, b}};
}

std::vector<Param> joined(std::vector<Param> first, const std::vector<Param>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// A table (pk, dist) of the records with a palette colour within the filter's distance, `dist`
// being redmean_distance_512 of the nearest.
std::pair<std::string, std::vector<Param>> near_colours(const ColourFilter& c) {
  const NearColourSql near = near_colour_sql(c);
  std::vector<Param> params = joined(near.distance_params, near.in_box_params);
  params.emplace_back(c.limit_512);
  return {"(SELECT pk, MIN(dist) AS dist FROM (SELECT c.record_pk AS pk, " + near.distance +
              " AS dist FROM record_colors c WHERE " + near.in_box +
              ") WHERE dist <= ? GROUP BY pk)",
          std::move(params)};
}

// A condition on records `r`: a palette colour within the filter's distance. The matches are
// collected once; `+` keeps SQLite from fetching each match by key and sorting them all (with
// their documents), so the query's own order drives the scan and stops at the page's end.
std::pair<std::string, std::vector<Param>> near_condition(const ColourFilter& c) {
  const NearColourSql near = near_colour_sql(c);
  std::vector<Param> params = joined(near.in_box_params, near.distance_params);
  params.emplace_back(c.limit_512);
  return {"+r.pk IN (SELECT c.record_pk FROM record_colors c WHERE " + near.in_box + " AND " +
              near.distance + " <= ?)",
          std::move(params)};
}

// Adds the query's filters on records `r`, leaving out the first `skip_tags` tags (already
// matched by a join).
void add_record_filters(Filter& f, const RecordQuery& q, std::size_t skip_tags = 0) {
  f.add_if("r.category = ?", q.category);
  f.add_if("r.group_name = ?", q.group);
  f.add_if("r.project_name = ?", q.project_name);
  f.add_if("r.moodboard_name = ?", q.moodboard_name);
  if (q.source_type) f.add("r.source_type = ?", {std::string(model::to_string(*q.source_type))});
  if (q.status) f.add("r.status = ?", {std::string(model::to_string(*q.status))});
  f.add_if("r.genre = ?", q.genre);
  f.add_if("r.style = ?", q.style);
  f.add_if("r.shot = ?", q.shot);
  if (q.ai_status) f.add("r.ai_status = ?", {std::string(model::to_string(*q.ai_status))});
  if (q.variation_type) {
    f.add("r.variation_type = ?", {std::string(model::to_string(*q.variation_type))});
  }
  for (std::size_t i = skip_tags; i < q.tags.size(); ++i) {
    f.add(
        "EXISTS (SELECT 1 FROM record_tags WHERE tag = ? AND uploaded_at = r.uploaded_at "
        "AND record_pk = r.pk)",
        {q.tags[i]});
  }
  if (q.originals_only) f.add("r.parent_image_id IS NULL", {});
}

// The page of a statement selecting (doc, pk, distance), reading one row past `limit` at most.
PageRows read_page(Statement& stmt, int limit) {
  PageRows rows;
  while (stmt.step()) {
    if (static_cast<int>(rows.records.size()) == limit) {
      rows.more = true;
      break;
    }
    rows.records.push_back(record_from_doc(stmt.text(0)));
    rows.last_pk = stmt.integer(1);
    rows.last_distance = stmt.integer(2);
  }
  return rows;
}

void add_params(Filter& f, std::vector<Param> params) {
  for (auto& p : params) f.param(std::move(p));
}

}  // namespace

RecordPage list_records(Database& db, const RecordQuery& q,
                        std::optional<std::string_view> parent_id) {
  const auto colour = check_query(q);
  Filter f;
  const auto add_parent = [&] {
    if (parent_id) f.add("r.parent_image_id = ?", {std::string(*parent_id)});
  };
  std::string sql;
  if (q.order == RecordOrder::closeness) {
    // The nearest colour decides the order, so every match is ranked: only keys go through the
    // sort, and the documents of one page are read after it.
    auto [near_sql, near_params] = near_colours(*colour);
    add_params(f, std::move(near_params));
    add_parent();
    add_record_filters(f, q);
    if (q.cursor) {
      auto c = cursor_for<ClosenessCursor>(q, "list ordered by closeness");
      f.add("(near.dist, near.pk) > (?, ?)", {c.distance_512, c.pk});
    }
    sql = "SELECT r.doc, r.pk, hits.dist FROM (SELECT near.pk AS pk, near.dist AS dist FROM " +
          near_sql + " AS near JOIN records r ON r.pk = near.pk WHERE 1" + f.sql() +
          " ORDER BY near.dist, near.pk LIMIT ?) AS hits JOIN records r ON r.pk = hits.pk "
          "ORDER BY hits.dist, hits.pk";
  } else {
    add_parent();
    std::string from = "records r";
    std::string order;
    const auto add_colour = [&] {
      if (!colour) return;
      auto [near_sql, near_params] = near_condition(*colour);
      f.add(near_sql, std::move(near_params));
    };
    if (q.order == RecordOrder::newest_first) {
      // With a tag, the tag's own rows (keyed newest first) drive the query: no sort, however
      // common or rare the tag.
      std::string time = "r.uploaded_at", pk = "r.pk";
      if (!q.tags.empty()) {
        from = "record_tags t JOIN records r ON r.pk = t.record_pk";
        time = "t.uploaded_at";
        pk = "t.record_pk";
        f.add("t.tag = ?", {q.tags.front()});
      }
      add_record_filters(f, q, q.tags.empty() ? 0 : 1);
      add_colour();
      if (q.cursor) {
        auto c = cursor_for<TimeCursor>(q, "list ordered newest first");
        f.add("(" + time + ", " + pk + ") < (?, ?)", {c.uploaded_at, c.pk});
      }
      order = " ORDER BY " + time + " DESC, " + pk + " DESC";
    } else {
      add_record_filters(f, q);
      add_colour();
      if (q.cursor) {
        auto c = cursor_for<ProjectCursor>(q, "list ordered by project row");
        f.add("(r.project_sort, r.title, r.pk) > (?, ?, ?)", {c.project_sort, c.title, c.pk});
      }
      order = " ORDER BY r.project_sort, r.title, r.pk";
    }
    sql = "SELECT r.doc, r.pk, 0 FROM " + from + " WHERE 1" + f.sql() + order + " LIMIT ?";
  }
  f.param(std::int64_t{q.limit} + 1);
  auto stmt = db.prepare(sql);
  f.bind_all(stmt);
  return list_page(read_page(stmt, q.limit), q);
}

RecordPage search_records(Database& db, std::string_view text, const RecordQuery& q) {
  model::require_utf8("text", text);
  const auto colour = check_query(q);
  const bool by_closeness = q.order == RecordOrder::closeness;
  Filter f;
  // The inner query ranks the matches and keeps one page of keys; only then are the documents
  // read, so a common word does not drag every matching document through the sort.
  std::string inner;
  std::int64_t offset = 0;
  if (by_closeness) {
    auto [near_sql, near_params] = near_colours(*colour);
    add_params(f, std::move(near_params));  // the subquery comes first in the statement
    f.param(fts_query(text));
    add_record_filters(f, q);
    if (q.cursor) {
      auto c = cursor_for<ClosenessCursor>(q, "search ordered by closeness");
      f.add("(near.dist, near.pk) > (?, ?)", {c.distance_512, c.pk});
    }
    inner = "SELECT near.pk AS pk, near.dist AS score FROM " + near_sql +
            " AS near JOIN records r ON r.pk = near.pk "
            "JOIN records_fts ON records_fts.rowid = near.pk WHERE records_fts MATCH ?" +
            f.sql();
  } else {
    offset = q.cursor ? cursor_for<OffsetCursor>(q, "search").offset : 0;
    f.param(fts_query(text));  // the MATCH placeholder comes first in the statement
    add_record_filters(f, q);
    if (colour) {
      auto [near_sql, near_params] = near_condition(*colour);
      f.add(near_sql, std::move(near_params));
    }
    inner =
        "SELECT records_fts.rowid AS pk, records_fts.rank AS score "
        "FROM records_fts JOIN records r ON r.pk = records_fts.rowid "
        "WHERE records_fts MATCH ?" +
        f.sql();
  }
  f.param(std::int64_t{q.limit} + 1);
  f.param(offset);
  auto stmt = db.prepare("SELECT r.doc, r.pk, hits.score FROM (" + inner +
                         " ORDER BY score, pk LIMIT ? OFFSET ?) AS hits "
                         "JOIN records r ON r.pk = hits.pk ORDER BY hits.score, hits.pk");
  f.bind_all(stmt);
  return search_page(read_page(stmt, q.limit), q, offset);
}

RecordStats count_records(Database& db, const RecordQuery& q) {
  const auto colour = check_count_query(q);
  Filter f;
  // As in list(): with a tag, its own rows drive the count (a tag has few records; checking
  // every record for it costs far more).
  std::string from = "records r";
  if (!q.tags.empty()) {
    from = "record_tags t CROSS JOIN records r ON r.pk = t.record_pk";
    f.add("t.tag = ?", {q.tags.front()});
  }
  add_record_filters(f, q, q.tags.empty() ? 0 : 1);
  if (colour) {
    auto [near_sql, near_params] = near_condition(*colour);
    f.add(near_sql, std::move(near_params));
  }
  RecordStats stats;
  // Column names are fixed here, never input.
  const auto dimensions = counted_columns(stats);
  if (f.sql().empty()) {
    // Without a filter, each count is one GROUP BY over the column's own index.
    auto total = db.prepare("SELECT count(*) FROM records");
    total.step();
    stats.total = total.integer(0);
    for (const auto& [column, counts] : dimensions) {
      const std::string c = "r." + std::string(column);
      auto stmt = db.prepare("SELECT " + c + ", count(*) AS n FROM records r WHERE " + c +
                             " IS NOT NULL GROUP BY " + c + " ORDER BY n DESC, 1");
      while (stmt.step()) counts->push_back({stmt.text(0), stmt.integer(1)});
    }
    return stats;
  }
  // With one, the filter's index selects the records and one pass counts every dimension (a
  // GROUP BY each would read the same records eight times).
  std::string columns;
  for (const auto& [column, counts] : dimensions)
    columns += (columns.empty() ? "r." : ", r.") + std::string(column);
  auto stmt = db.prepare("SELECT " + columns + " FROM " + from + " WHERE 1" + f.sql());
  f.bind_all(stmt);
  constexpr int dimension_count = static_cast<int>(std::tuple_size_v<decltype(dimensions)>);
  std::array<std::unordered_map<std::string, std::int64_t>, dimension_count> tallies;
  while (stmt.step()) {
    ++stats.total;
    for (int i = 0; i < dimension_count; ++i)
      if (!stmt.is_null(i)) ++tallies[static_cast<std::size_t>(i)][stmt.text(i)];
  }
  for (int i = 0; i < dimension_count; ++i) {
    auto& counts = *dimensions[static_cast<std::size_t>(i)].second;
    for (auto& [value, n] : tallies[static_cast<std::size_t>(i)]) counts.push_back({value, n});
    // As the unfiltered counts come.
    sort_counts(counts);
  }
  return stats;
}

std::string fts_query(std::string_view text) {
  const std::vector<std::string> words = typed_words(text);
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ' ';
    out += '"';
    for (char c : words[i]) {
      if (c == '"') out += '"';  // FTS5 strings double their quotes
      out += c;
    }
    out += '"';
    if (i + 1 == words.size() && matches_as_prefix(words[i])) out += '*';
  }
  return out;
}

}  // namespace pindeck::catalog
