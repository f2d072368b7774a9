// SPDX-License-Identifier: Apache-2.0
// The C ABI's client and record functions over pindeck::Client.
#include <nlohmann/json.hpp>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "catalog/query_json.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"

// pindeck.h repeats the record limits of pindeck/record.hpp for C; they must not drift apart.
static_assert(PD_MAX_TITLE_CHARS == pindeck::limits::title_chars);
static_assert(PD_MAX_DESCRIPTION_CHARS == pindeck::limits::description_chars);
static_assert(PD_MAX_CATEGORY_CHARS == pindeck::limits::category_chars);
static_assert(PD_MAX_LABEL_CHARS == pindeck::limits::label_chars);
static_assert(PD_MAX_TAG_CHARS == pindeck::limits::tag_chars);
static_assert(PD_MAX_TAGS == pindeck::limits::tags);
static_assert(PD_MAX_NAME_CHARS == pindeck::limits::name_chars);
static_assert(PD_MAX_SREF_CHARS == pindeck::limits::sref_chars);
static_assert(PD_MAX_MODIFICATION_MODE_CHARS == pindeck::limits::modification_mode_chars);
static_assert(PD_MAX_VARIATION_DETAIL_CHARS == pindeck::limits::variation_detail_chars);
static_assert(PD_MAX_PERSIST_ERROR_CHARS == pindeck::limits::persist_error_chars);
static_assert(PD_MAX_ID_BYTES == pindeck::limits::id_bytes);
static_assert(PD_MAX_EXTERNAL_KEY_BYTES == pindeck::limits::external_key_bytes);
static_assert(PD_MAX_URL_BYTES == pindeck::limits::url_bytes);
static_assert(PD_MAX_CONTENT_TYPE_BYTES == pindeck::limits::content_type_bytes);
static_assert(PD_MAX_COLORS == pindeck::limits::colors);
static_assert(PD_MAX_TIME_MS == pindeck::limits::time_ms);
static_assert(PD_MAX_COUNT == pindeck::limits::count);
static_assert(PD_MAX_RECORD_JSON_BYTES == pindeck::limits::record_json_bytes);
static_assert(PD_MAX_BATCH_RECORDS == pindeck::limits::batch_records);
static_assert(PD_MAX_BATCH_JSON_BYTES == pindeck::limits::batch_json_bytes);

namespace {

using nlohmann::json;
using pindeck::capi::copy_out;
using pindeck::capi::live_client;
using pindeck::capi::require_arg;
using pindeck::capi::reset_out;

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
    *out = pindeck::capi::new_client_handle(pindeck::Client::open(data_dir));
  });
}

int pd_client_open_catalog(const char* data_dir, const char* catalog, pd_client** out) {
  return pindeck::capi::guard([&] {
    reset_out(out, "out");
    require_arg(data_dir, "data_dir");
    pindeck::OpenOptions options;
    if (catalog != nullptr) options.catalog = catalog;
    *out = pindeck::capi::new_client_handle(pindeck::Client::open(data_dir, options));
  });
}

void pd_client_close(pd_client* client) {
  if (client == nullptr) return;
  pindeck::capi::guard([&] { pindeck::capi::close_client_handle(client); });
}

int pd_record_create(pd_client* client, const char* record_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(record_json, "record_json");
    *out_json = record_out(c.create(pindeck::record_from_json(record_json)));
  });
}

int pd_record_create_batch(pd_client* client, const char* records_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(records_json, "records_json");
    pindeck::model::require_batch_json_size(records_json);
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
    for (const auto& result : c.create_batch(records)) {
      out["records"].push_back(pindeck::model::to_json(result.record));
      out["created"].push_back(result.created);
    }
    *out_json = copy_out(out.dump());
  });
}

int pd_record_get(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    *out_json = record_out(c.get(id));
  });
}

int pd_record_update(pd_client* client, const char* id, const char* patch_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    require_arg(patch_json, "patch_json");
    *out_json = record_out(c.update(id, patch_json));
  });
}

int pd_record_delete(pd_client* client, const char* id) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    c.remove(id);
  });
}

int pd_record_list(pd_client* client, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    auto page = c.list(query_or_default(query_json));
    *out_json = copy_out(pindeck::catalog::page_to_json(page).dump());
  });
}

int pd_record_search(pd_client* client, const char* text, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(text, "text");
    auto query = query_or_default(query_json);
    if (query.order == pindeck::RecordOrder::project_row) {
      throw pindeck::Error(pindeck::Errc::invalid,
                           "query.order: search results are ranked by relevance (or by "
                           "\"closeness\" to \"color\"); leave order out");
    }
    auto page = c.search(text, query);
    *out_json = copy_out(pindeck::catalog::page_to_json(page).dump());
  });
}

int pd_record_stats(pd_client* client, const char* query_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    auto stats = c.stats(query_or_default(query_json));
    *out_json = copy_out(pindeck::catalog::stats_to_json(stats).dump());
  });
}

int pd_record_increment(pd_client* client, const char* id, int counter, int64_t delta,
                        int64_t* out_value) {
  return pindeck::capi::guard([&] {
    if (out_value != nullptr) *out_value = 0;
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    if (counter != PD_COUNTER_LIKES && counter != PD_COUNTER_VIEWS) {
      throw pindeck::Error(
          pindeck::Errc::invalid,
          std::string("counter: must be PD_COUNTER_LIKES or PD_COUNTER_VIEWS (got ")
              .append(std::to_string(counter))
              .append(")"));
    }
    const auto which =
        counter == PD_COUNTER_LIKES ? pindeck::Counter::likes : pindeck::Counter::views;
    const std::int64_t value = c.increment(id, which, delta);
    if (out_value != nullptr) *out_value = value;
  });
}
}
