// SPDX-License-Identifier: Apache-2.0
// The C ABI's client and record functions over pindeck::Client.
#include <nlohmann/json.hpp>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "catalog/query_json.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"

namespace {

using nlohmann::json;
using pindeck::capi::copy_out;
using pindeck::capi::require_arg;

// Clears an out-parameter first, so it is NULL whenever the call fails.
template <typename T>
void reset_out(T** out, const char* name) {
  require_arg(out, name);
  *out = nullptr;
}

pindeck::RecordQuery query_or_default(const char* query_json) {
  if (query_json == nullptr) return {};
  return pindeck::catalog::query_from_json(pindeck::model::parse_json_text(query_json, "query"));
}

char* record_out(const pindeck::Record& r) {
  return copy_out(pindeck::model::to_json(r).dump());
}

}  // namespace

extern "C" {

int pd_client_open(const char* data_dir, pd_client** out) {
  return pindeck::capi::guard([&] {
    reset_out(out, "out");
    require_arg(data_dir, "data_dir");
    *out = new pd_client{pindeck::Client::open(data_dir)};
  });
}

void pd_client_close(pd_client* client) {
  delete client;
}

int pd_record_create(pd_client* client, const char* record_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    require_arg(record_json, "record_json");
    *out_json = record_out(client->client.create(pindeck::record_from_json(record_json)));
  });
}

int pd_record_create_batch(pd_client* client, const char* records_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    require_arg(records_json, "records_json");
    json items = pindeck::model::parse_json_text(records_json, "records");
    if (!items.is_array()) {
      throw pindeck::Error(pindeck::Errc::invalid, "records: must be a JSON array of records");
    }
    std::vector<pindeck::Record> records;
    records.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      try {
        records.push_back(pindeck::model::from_json(items[i]));
      } catch (const pindeck::Error& e) {
        throw pindeck::Error(e.code(),
                             "record " + std::to_string(i) + " of the batch: " + e.what());
      }
    }
    json out = {{"records", json::array()}, {"created", json::array()}};
    for (const auto& result : client->client.create_batch(records)) {
      out["records"].push_back(pindeck::model::to_json(result.record));
      out["created"].push_back(result.created);
    }
    *out_json = copy_out(out.dump());
  });
}

int pd_record_get(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    require_arg(id, "id");
    *out_json = record_out(client->client.get(id));
  });
}

int pd_record_update(pd_client* client, const char* id, const char* patch_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    require_arg(id, "id");
    require_arg(patch_json, "patch_json");
    *out_json = record_out(client->client.update(id, patch_json));
  });
}

int pd_record_delete(pd_client* client, const char* id) {
  return pindeck::capi::guard([&] {
    require_arg(client, "client");
    require_arg(id, "id");
    client->client.remove(id);
  });
}

int pd_record_list(pd_client* client, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    auto page = client->client.list(query_or_default(query_json));
    *out_json = copy_out(pindeck::catalog::page_to_json(page).dump());
  });
}

int pd_record_search(pd_client* client, const char* text, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    require_arg(client, "client");
    require_arg(text, "text");
    auto query = query_or_default(query_json);
    if (query.order != pindeck::RecordOrder::newest_first) {
      throw pindeck::Error(pindeck::Errc::invalid,
                           "query.order: search results are ranked by relevance; leave order out");
    }
    auto page = client->client.search(text, query);
    *out_json = copy_out(pindeck::catalog::page_to_json(page).dump());
  });
}
}
