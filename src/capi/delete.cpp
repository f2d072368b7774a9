// SPDX-License-Identifier: Apache-2.0
// The C ABI's bulk deletion over Client::remove and Client::remove_where (DESIGN §6.8).
#include <nlohmann/json.hpp>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "capi/json_shapes.hpp"
#include "catalog/query_json.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::ids_from;

bool flag(const json& request, const char* name) {
  if (!request.contains(name)) return false;
  if (!request[name].is_boolean()) {
    throw Error(Errc::invalid, std::string(name) + ": must be true or false");
  }
  return request[name].get<bool>();
}

}  // namespace

extern "C" {

int pd_records_delete(pd_client* client, const char* request_json, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::require_arg(out_json, "out_json");
    *out_json = nullptr;
    pindeck::Client& c = pindeck::capi::live_client(client);
    pindeck::capi::require_arg(request_json, "request_json");
    const json request = pindeck::model::parse_json_text(request_json, "request");
    if (!request.is_object()) throw Error(Errc::invalid, "request: must be a JSON object");
    for (const auto& [key, value] : request.items()) {
      if (key != "ids" && key != "where" && key != "family" && key != "dryRun") {
        throw Error(Errc::invalid, "request: unknown field \"" + key + "\"");
      }
    }
    if (request.contains("ids") == request.contains("where")) {
      throw Error(Errc::invalid, "request: give either \"ids\" or \"where\"");
    }
    pindeck::DeleteOptions options;
    options.family = flag(request, "family");
    options.dry_run = flag(request, "dryRun");
    const auto report =
        request.contains("ids")
            ? c.remove(ids_from(request["ids"]), options)
            : c.remove_where(pindeck::catalog::query_from_json(request["where"]), options);
    *out_json =
        pindeck::capi::copy_out(pindeck::capi::delete_report_json(report, options.dry_run).dump());
  });
}

}  // extern "C"
