// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/lineage.hpp"

#include <unordered_map>

#include "catalog/lineage_rules.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/postgres/record_queries.hpp"
#include "catalog/postgres/records_table.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// Ids are not checked for UTF-8 before they get here: one that is not is shown and sent with
// replacement characters, so it names no record instead of breaking the JSON.
constexpr QuoteId quote = json_quoted_replacing_invalid;

}  // namespace

std::optional<Record> parent_of(Connection& db, std::string_view id) {
  const Record record = load_record(db, id);
  if (!record.parent_image_id) return std::nullopt;
  return find_record(db, *record.parent_image_id);
}

RecordPage children_of(Connection& db, std::string_view id, const RecordQuery& query) {
  check_children_query(query);
  load_record(db, id);
  return list_records(db, query, id);
}

Record root_of(Connection& db, std::string_view id) {
  // One statement walks up one link further than allowed: a row at that depth means the root is
  // out of reach. A parent id that names no record (only an older version or a migrated SQLite
  // catalog could store one) ends the walk, so the topmost stored ancestor is the root.
  auto walk = db.exec(
      "WITH RECURSIVE up (pk, parent, depth) AS ("
      "  SELECT pk, parent_image_id, 0 FROM records WHERE id = $1"
      "  UNION ALL"
      "  SELECT r.pk, r.parent_image_id, up.depth + 1 FROM up JOIN records r ON r.id = up.parent"
      "  WHERE up.depth < $2::integer) "
      "SELECT r.doc, up.depth FROM up JOIN records r ON r.pk = up.pk "
      "ORDER BY up.depth DESC LIMIT 2",
      {id, max_lineage_depth + 1});
  if (walk.empty()) {
    throw Error(Errc::not_found, std::string("no record with id ") += quote(id));
  }
  if (walk.integer(0, 1) <= max_lineage_depth) return record_from_doc(walk.text(0, 0));
  // The ancestor max_lineage_depth links up, named so a host can go on from it.
  refuse_root_out_of_reach(id, record_from_doc(walk.text(1, 0)).id, quote);
}

Family family_of(Connection& db, std::string_view id) {
  Family family{root_of(db, id), {}, true};
  // PostgreSQL computes a recursive query one generation after the other and only as far as its
  // reader fetches, so the LIMIT stops the walk with the nearest generations kept; it also ends a
  // cycle a migrated catalog might hold. One row past the bound says the family is larger.
  auto walk = db.exec(
      "WITH RECURSIVE down (pk, id, depth) AS ("
      "  SELECT pk, id, 0 FROM records WHERE id = $1"
      "  UNION ALL"
      "  SELECT r.pk, r.id, down.depth + 1 FROM down JOIN records r"
      "  ON r.parent_image_id = down.id) "
      "SELECT r.doc FROM (SELECT pk, depth FROM down LIMIT $2::bigint) AS first "
      "JOIN records r ON r.pk = first.pk "
      "ORDER BY first.depth, r.uploaded_at DESC, r.pk DESC",
      {family.root.id, static_cast<std::int64_t>(max_family_records + 1)});
  for (int row = 0; row < walk.size(); ++row) {
    if (!add_to_family(family, record_from_doc(walk.text(row, 0)))) break;
  }
  return family;
}

std::size_t set_project_order(Connection& db, std::string_view project_name,
                              const std::vector<std::string>& ids) {
  const auto named = check_project_order(project_name, ids, quote);

  // Every record this call reads to decide, locked in one order (by pk) so that two hosts
  // ordering the same project wait for each other instead of deadlocking; neither the named
  // records nor the row can change until the transaction ends.
  auto locked = db.exec(
      "SELECT id, project_name, doc FROM records "
      "WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) OR project_name = $2 "
      "ORDER BY pk FOR UPDATE",
      {json_text_replacing_invalid(ids), project_name});
  struct Stored {
    std::optional<std::string> project_name;
    std::string doc;
  };
  std::unordered_map<std::string, Stored> stored;
  for (int row = 0; row < locked.size(); ++row) {
    stored.emplace(locked.text(row, 0), Stored{locked.optional_text(row, 1), locked.text(row, 2)});
  }
  std::vector<std::string> unknown, elsewhere;
  std::vector<Record> ordered;
  ordered.reserve(ids.size());
  for (const auto& id : ids) {
    auto found = stored.find(id);
    if (found == stored.end()) {
      unknown.push_back(id);
    } else if (found->second.project_name != project_name) {
      elsewhere.push_back(id);
    } else {
      ordered.push_back(record_from_doc(found->second.doc));
    }
  }
  require_in_project(project_name, unknown, elsewhere, quote);
  // The row's order as list_records gives it: titles bytewise, as SQLite orders them.
  auto rest = db.exec(
      "SELECT id, doc FROM records WHERE project_name = $1 "
      "ORDER BY project_sort, title COLLATE \"C\", pk",
      {project_name});
  for (int row = 0; row < rest.size(); ++row) {
    if (!named.contains(rest.text(row, 0))) ordered.push_back(record_from_doc(rest.text(row, 1)));
  }
  return number_project_row(ordered, [&](const Record& record) { replace_record(db, record); });
}

}  // namespace pindeck::catalog::postgres
