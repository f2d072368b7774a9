// SPDX-License-Identifier: Apache-2.0
// JSON shapes more than one C ABI function shares: record metadata, lists of record ids, and what
// a deletion took.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pindeck/client.hpp"

namespace pindeck::capi {

// A host's record metadata (JSON text), or an empty record for NULL; Errc::invalid naming the field
// the record rules refuse.
Record metadata_or_default(const char* metadata_json);

// The ids of a JSON array of strings; Errc::invalid naming `what` otherwise.
std::vector<std::string> ids_from(const nlohmann::json& ids, const char* what = "ids");

// {"dryRun", "deleted": [{"id", "title", "objectKeys"}], "cleanupPending"} (see pd_records_delete).
nlohmann::json delete_report_json(const DeleteReport& report, bool dry_run);

}  // namespace pindeck::capi
