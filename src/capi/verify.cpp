// SPDX-License-Identifier: Apache-2.0
// The C ABI's verify and repair over Client::verify (DESIGN §6.9).
#include <nlohmann/json.hpp>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "catalog/query_json.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;

bool flag(const json& options, const char* name) {
  if (!options.contains(name)) return false;
  if (!options[name].is_boolean()) {
    throw Error(Errc::invalid, std::string("verify options: ") + name + ": must be true or false");
  }
  return options[name].get<bool>();
}

pindeck::VerifyOptions options_from(const char* options_json) {
  pindeck::VerifyOptions options;
  if (options_json == nullptr) return options;
  const json in = pindeck::model::parse_json_text(options_json, "verify options");
  if (!in.is_object()) throw Error(Errc::invalid, "verify options: must be a JSON object");
  for (const auto& [key, value] : in.items()) {
    if (key != "where" && key != "repair" && key != "deleteOrphans" && key != "maxInFlight" &&
        key != "restart") {
      throw Error(Errc::invalid, "verify options: unknown field \"" + key + "\"");
    }
  }
  if (in.contains("where")) options.filter = pindeck::catalog::query_from_json(in["where"]);
  options.repair = flag(in, "repair");
  options.delete_orphans = flag(in, "deleteOrphans");
  options.restart = flag(in, "restart");
  if (in.contains("maxInFlight")) {
    if (!in["maxInFlight"].is_number_integer()) {
      throw Error(Errc::invalid, "verify options: maxInFlight: must be an integer from 1 to 64");
    }
    const auto n = in["maxInFlight"].get<std::int64_t>();
    if (n < 1 || n > 64) {
      throw Error(Errc::invalid, std::string("verify options: maxInFlight: must be 1 to 64 (got ") +
                                     std::to_string(n) + ")");
    }
    options.max_in_flight = static_cast<int>(n);
  }
  return options;
}

}  // namespace

extern "C" {

int pd_verify(pd_client* client, const char* options_json, pd_verify_progress progress, void* user,
              char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::require_arg(out_json, "out_json");
    *out_json = nullptr;
    pindeck::Client& c = pindeck::capi::live_client(client);
    auto options = options_from(options_json);
    if (progress != nullptr) {
      options.progress = [progress, user](const pindeck::VerifyProgress& p) {
        return progress(user, p.records_done, p.records_total, p.objects_checked) != 0;
      };
    }
    *out_json = pindeck::capi::copy_out(pindeck::verify_report_to_json(c.verify(options)));
  });
}

}  // extern "C"
