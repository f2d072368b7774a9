// SPDX-License-Identifier: Apache-2.0
#include "catalog/lineage.hpp"

#include "catalog/lineage_rules.hpp"
#include "catalog/record_queries.hpp"
#include "catalog/records_table.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

std::optional<Record> parent_of(Database& db, std::string_view id) {
  const Record record = load_record(db, id);
  if (!record.parent_image_id) return std::nullopt;
  return find_record(db, *record.parent_image_id);
}

RecordPage children_of(Database& db, std::string_view id, const RecordQuery& query) {
  check_children_query(query);
  load_record(db, id);
  return list_records(db, query, id);
}

Record root_of(Database& db, std::string_view id) {
  // One statement walks up one link further than allowed: a row at that depth means the root is
  // out of reach. A parent id that names no record (only an older version could store one) ends
  // the walk, so the topmost stored ancestor is the root.
  auto walk = db.prepare(
      "WITH RECURSIVE up (pk, parent, depth) AS ("
      "  SELECT pk, parent_image_id, 0 FROM records WHERE id = ?1"
      "  UNION ALL"
      "  SELECT r.pk, r.parent_image_id, up.depth + 1 FROM up JOIN records r ON r.id = up.parent"
      "  WHERE up.depth < ?2) "
      "SELECT r.doc, up.depth FROM up JOIN records r ON r.pk = up.pk "
      "ORDER BY up.depth DESC LIMIT 2");
  walk.bind(1, id).bind(2, std::int64_t{max_lineage_depth + 1});
  if (!walk.step()) {
    throw Error(Errc::not_found, std::string("no record with id ") += json_quoted(id));
  }
  if (walk.integer(1) <= max_lineage_depth) return record_from_doc(walk.text(0));
  walk.step();  // the ancestor max_lineage_depth links up
  refuse_root_out_of_reach(id, record_from_doc(walk.text(0)).id, json_quoted);
}

Family family_of(Database& db, std::string_view id) {
  Family family{root_of(db, id), {}, true};
  // Breadth first (SQLite's recursive queue is first in, first out), so a family cut at the
  // limit keeps its nearest generations; the limit also ends a cycle an older version stored.
  auto walk = db.prepare(
      "WITH RECURSIVE down (pk, id, depth) AS ("
      "  SELECT pk, id, 0 FROM records WHERE id = ?1"
      "  UNION ALL"
      "  SELECT r.pk, r.id, down.depth + 1 FROM down JOIN records r"
      "  ON r.parent_image_id = down.id"
      "  LIMIT ?2) "
      "SELECT r.doc FROM down JOIN records r ON r.pk = down.pk "
      "ORDER BY down.depth, r.uploaded_at DESC, r.pk DESC");
  walk.bind(1, family.root.id).bind(2, static_cast<std::int64_t>(max_family_records + 1));
  while (walk.step()) {
    if (!add_to_family(family, record_from_doc(walk.text(0)))) break;
  }
  return family;
}

std::size_t set_project_order(Database& db, std::string_view project_name,
                              const std::vector<std::string>& ids) {
  const auto named = check_project_order(project_name, ids, json_quoted);
  std::vector<std::string> unknown, elsewhere;
  std::vector<Record> ordered;
  ordered.reserve(ids.size());
  for (const auto& id : ids) {
    auto record = find_record(db, id);
    if (!record) {
      unknown.push_back(id);
    } else if (record->project_name != project_name) {
      elsewhere.push_back(id);
    } else {
      ordered.push_back(std::move(*record));
    }
  }
  require_in_project(project_name, unknown, elsewhere, json_quoted);
  auto rest = db.prepare(
      "SELECT doc FROM records WHERE project_name = ?1 ORDER BY project_sort, title, pk");
  rest.bind(1, project_name);
  while (rest.step()) {
    Record record = record_from_doc(rest.text(0));
    if (!named.contains(record.id)) ordered.push_back(std::move(record));
  }
  return number_project_row(ordered, [&](const Record& record) { replace_record(db, record); });
}

}  // namespace pindeck::catalog
