// SPDX-License-Identifier: Apache-2.0
// The JSON forms of list/search queries and of pages, as the C ABI exchanges them.
//
// Query: {"category", "group", "projectName", "moodboardName", "sourceType", "status", "genre",
//         "style", "shot", "aiStatus", "variationType": strings;
//         "tag": string, "tags": [strings] (all required); "originalsOnly": bool;
//         "color": a colour (#rgb, #rgba, #rrggbb, #rrggbbaa, '#' optional);
//         "colorDistance": 0..765 (78);
//         "order": "uploadedAt" (newest first, default), "project" or "closeness" (to "color");
//         "limit": 1..1000 (50);
//         "cursor": the nextCursor of the previous page}
// Page:  {"records": [...], "nextCursor": string, or null on the last page}
// Stats: {"total": n, "category": [{"value", "count"}, ...], "group", "genre", "style",
//         "projectName", "moodboardName", "sourceType", "status": the same, most common first}
#pragma once

#include <nlohmann/json.hpp>

#include "pindeck/query.hpp"

namespace pindeck::catalog {

// Throws Error(Errc::invalid) naming the key that is unknown or has the wrong type or value.
RecordQuery query_from_json(const nlohmann::json& object);

nlohmann::json page_to_json(const RecordPage& page);

nlohmann::json stats_to_json(const RecordStats& stats);

}  // namespace pindeck::catalog
