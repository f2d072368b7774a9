// SPDX-License-Identifier: Apache-2.0
// The C ABI's lineage (parent, children, root, family) and project-row ordering over
// pindeck::Client (DESIGN §8).
#include <nlohmann/json.hpp>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "catalog/query_json.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

// pindeck.h repeats these bounds of pindeck/query.hpp for C.
static_assert(PD_MAX_LINEAGE_DEPTH == pindeck::max_lineage_depth);
static_assert(PD_MAX_FAMILY_RECORDS == pindeck::max_family_records);
static_assert(PD_MAX_PROJECT_ORDER_IDS == pindeck::max_project_order_ids);

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::copy_out;
using pindeck::capi::live_client;
using pindeck::capi::require_arg;

// Checks the arguments every lookup takes and clears the out-parameter, so it is NULL whenever
// the call fails.
pindeck::Client& lookup_client(pd_client* client, const char* id, char** out_json) {
  require_arg(out_json, "out_json");
  *out_json = nullptr;
  pindeck::Client& c = live_client(client);
  require_arg(id, "id");
  return c;
}

std::vector<std::string> ids_from(const char* ids_json) {
  const json ids = pindeck::model::parse_json_text(ids_json, "ids");
  if (!ids.is_array()) throw Error(Errc::invalid, "ids: must be a JSON array of record ids");
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    if (!id.is_string()) throw Error(Errc::invalid, "ids: must be a JSON array of record ids");
    out.push_back(id.get<std::string>());
  }
  return out;
}

}  // namespace

extern "C" {

int pd_record_parent(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = lookup_client(client, id, out_json);
    const auto parent = c.parent(id);
    *out_json = copy_out(parent ? pindeck::model::to_json(*parent).dump() : "null");
  });
}

int pd_record_children(pd_client* client, const char* id, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = lookup_client(client, id, out_json);
    pindeck::RecordQuery query;
    if (query_json != nullptr) {
      query =
          pindeck::catalog::query_from_json(pindeck::model::parse_json_text(query_json, "query"));
    }
    *out_json = copy_out(pindeck::catalog::page_to_json(c.children(id, query)).dump());
  });
}

int pd_record_root(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = lookup_client(client, id, out_json);
    *out_json = copy_out(pindeck::model::to_json(c.root(id)).dump());
  });
}

int pd_record_family(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = lookup_client(client, id, out_json);
    const pindeck::Family family = c.family(id);
    json records = json::array();
    for (const auto& record : family.records) records.push_back(pindeck::model::to_json(record));
    *out_json = copy_out(json{
        {"rootId", family.root.id}, {"records", std::move(records)}, {"complete", family.complete}}
                             .dump());
  });
}

int pd_project_set_order(pd_client* client, const char* project_name, const char* ids_json,
                         size_t* out_changed) {
  return pindeck::capi::guard([&] {
    if (out_changed != nullptr) *out_changed = 0;
    pindeck::Client& c = live_client(client);
    require_arg(project_name, "project_name");
    require_arg(ids_json, "ids_json");
    const std::size_t changed = c.set_project_order(project_name, ids_from(ids_json));
    if (out_changed != nullptr) *out_changed = changed;
  });
}

}  // extern "C"
