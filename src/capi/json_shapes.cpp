// SPDX-License-Identifier: Apache-2.0
#include "capi/json_shapes.hpp"

#include "pindeck/error.hpp"

namespace pindeck::capi {

Record metadata_or_default(const char* metadata_json) {
  if (metadata_json == nullptr) return {};
  return record_from_json(metadata_json);
}

std::vector<std::string> ids_from(const nlohmann::json& ids, const char* what) {
  const auto refuse = [what] {
    throw Error(Errc::invalid, std::string(what) + ": must be an array of record ids");
  };
  if (!ids.is_array()) refuse();
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (!id.is_string()) refuse();
    out.push_back(id.get<std::string>());
  }
  return out;
}

nlohmann::json delete_report_json(const DeleteReport& report, bool dry_run) {
  nlohmann::json deleted = nlohmann::json::array();
  for (const auto& entry : report.records) {
    deleted.push_back({{"id", entry.record.id},
                       {"title", entry.record.title},
                       {"objectKeys", entry.object_keys}});
  }
  return {{"dryRun", dry_run}, {"deleted", deleted}, {"cleanupPending", report.cleanup_pending}};
}

}  // namespace pindeck::capi
