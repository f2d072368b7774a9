// SPDX-License-Identifier: Apache-2.0
#include "catalog/lineage_rules.hpp"

#include <cstdint>

#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

void check_children_query(const RecordQuery& query) {
  if (query.originals_only) {
    throw Error(Errc::invalid, "originalsOnly: children are variations, never originals");
  }
}

void refuse_root_out_of_reach(std::string_view id, std::string_view last_id, QuoteId quote) {
  const std::string levels = std::to_string(max_lineage_depth);
  std::string message = "record ";
  message += quote(id);
  message += ": its root is more than ";
  message += levels;
  message += " levels up (the most a lineage lookup follows); its ancestor ";
  message += levels;
  message += " levels up is ";
  message += quote(last_id);
  throw Error(Errc::conflict, message);
}

std::set<std::string_view> check_project_order(std::string_view project_name,
                                               const std::vector<std::string>& ids, QuoteId quote) {
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
  std::vector<std::string> repeated;
  for (const auto& id : ids) {
    if (!named.insert(id).second) repeated.push_back(id);
  }
  if (!repeated.empty()) {
    throw Error(Errc::invalid,
                std::string("ids: named more than once: ") += quoted_ids(repeated, quote));
  }
  return named;
}

void require_in_project(std::string_view project_name, const std::vector<std::string>& unknown,
                        const std::vector<std::string>& elsewhere, QuoteId quote) {
  if (!unknown.empty()) {
    throw Error(Errc::not_found,
                std::string("ids: no record with id ") += quoted_ids(unknown, quote));
  }
  if (!elsewhere.empty()) {
    std::string message = "ids: not in project ";
    message += quote(project_name);
    message += ": ";
    message += quoted_ids(elsewhere, quote);
    message += " (move a record into the project first by updating its projectName)";
    throw Error(Errc::invalid, message);
  }
}

std::size_t number_project_row(std::vector<Record>& row,
                               const std::function<void(const Record&)>& store) {
  std::size_t changed = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    Record& record = row[i];
    const auto position = static_cast<std::int64_t>(i);
    if (record.project_order == position) continue;
    record.project_order = position;
    store(record);
    ++changed;
  }
  return changed;
}

bool add_to_family(Family& family, Record record) {
  if (family.records.size() == max_family_records) {
    family.complete = false;
    return false;
  }
  family.records.push_back(std::move(record));
  return true;
}

}  // namespace pindeck::catalog
