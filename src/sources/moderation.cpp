// SPDX-License-Identifier: Apache-2.0
#include "sources/moderation.hpp"

#include <nlohmann/json.hpp>

#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::sources {

std::vector<Record> approve(catalog::Catalog& catalog, const std::vector<std::string>& ids) {
  if (ids.empty()) throw Error(Errc::invalid, "approve: no record ids given");
  return catalog.update_each(ids, [](const Record& record) {
    if (record.status == RecordStatus::active) return nlohmann::json::object();
    const bool moderated =
        record.source_type == SourceType::discord || record.source_type == SourceType::pinterest;
    const RecordStatus next = moderated ? RecordStatus::draft : RecordStatus::active;
    if (record.status == next) return nlohmann::json::object();
    return nlohmann::json{{"status", model::to_string(next)}};
  });
}

}  // namespace pindeck::sources
