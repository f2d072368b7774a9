// SPDX-License-Identifier: Apache-2.0
#include "catalog/lineage.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog/record_queries.hpp"
#include "catalog/records_table.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

std::string json_quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

Record record_from_doc(const std::string& doc) {
  return model::from_stored_json(nlohmann::json::parse(doc));
}

// The quoted ids, comma separated; past `shown`, only how many more.
std::string listed(const std::vector<std::string>& ids, std::size_t shown = 10) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) {
    if (i > 0) out += ", ";
    out += json_quoted(ids[i]);
  }
  if (ids.size() > shown) {
    out += " and ";
    out += std::to_string(ids.size() - shown);
    out += " more";
  }
  return out;
}

}  // namespace

std::optional<Record> parent_of(Database& db, std::string_view id) {
  const Record record = load_record(db, id);
  if (!record.parent_image_id) return std::nullopt;
  return find_record(db, *record.parent_image_id);
}

RecordPage children_of(Database& db, std::string_view id, const RecordQuery& query) {
  if (query.originals_only) {
    throw Error(Errc::invalid, "originalsOnly: children are variations, never originals");
  }
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
  walk.step();  // the ancestor max_lineage_depth links up, named so a host can go on from it
  const Record last = record_from_doc(walk.text(0));
  const std::string levels = std::to_string(max_lineage_depth);
  std::string message = "record ";
  message += json_quoted(id);
  message += ": its root is more than ";
  message += levels;
  message += " levels up (the most a lineage lookup follows); its ancestor ";
  message += levels;
  message += " levels up is ";
  message += json_quoted(last.id);
  throw Error(Errc::conflict, message);
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
    if (family.records.size() == max_family_records) {
      family.complete = false;
      break;
    }
    family.records.push_back(record_from_doc(walk.text(0)));
  }
  return family;
}

std::size_t set_project_order(Database& db, std::string_view project_name,
                              const std::vector<std::string>& ids) {
  model::require_utf8("projectName", project_name);
  if (project_name.empty()) throw Error(Errc::invalid, "projectName: must not be empty");
  if (ids.empty()) throw Error(Errc::invalid, "ids: name at least one record of the project");
  if (ids.size() > max_project_order_ids) {
    std::string message = "ids: at most ";
    message += std::to_string(max_project_order_ids);
    message += " records can be ordered at once (got ";
    message += std::to_string(ids.size());
    message += ")";
    throw Error(Errc::invalid, message);
  }
  std::set<std::string_view> named;
  std::vector<std::string> repeated, unknown, elsewhere;
  std::vector<Record> ordered;
  ordered.reserve(ids.size());
  for (const auto& id : ids) {
    if (!named.insert(id).second) {
      repeated.push_back(id);
      continue;
    }
    auto record = find_record(db, id);
    if (!record) {
      unknown.push_back(id);
    } else if (record->project_name != project_name) {
      elsewhere.push_back(id);
    } else {
      ordered.push_back(std::move(*record));
    }
  }
  if (!repeated.empty()) {
    throw Error(Errc::invalid, std::string("ids: named more than once: ") += listed(repeated));
  }
  if (!unknown.empty()) {
    throw Error(Errc::not_found, std::string("ids: no record with id ") += listed(unknown));
  }
  if (!elsewhere.empty()) {
    std::string message = "ids: not in project ";
    message += json_quoted(project_name);
    message += ": ";
    message += listed(elsewhere);
    message += " (move a record into the project first by updating its projectName)";
    throw Error(Errc::invalid, message);
  }
  auto rest = db.prepare(
      "SELECT doc FROM records WHERE project_name = ?1 ORDER BY project_sort, title, pk");
  rest.bind(1, project_name);
  while (rest.step()) {
    Record record = record_from_doc(rest.text(0));
    if (!named.contains(record.id)) ordered.push_back(std::move(record));
  }
  std::size_t changed = 0;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    Record& record = ordered[i];
    const auto position = static_cast<std::int64_t>(i);
    if (record.project_order == position) continue;
    record.project_order = position;
    replace_record(db, record);
    ++changed;
  }
  return changed;
}

}  // namespace pindeck::catalog
