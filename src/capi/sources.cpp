// SPDX-License-Identifier: Apache-2.0
// The C ABI's sources (DESIGN §7) over Client's: JSON in, JSON out.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "capi/json_shapes.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::copy_out;
using pindeck::capi::live_client;
using pindeck::capi::metadata_or_default;
using pindeck::capi::require_arg;
using pindeck::capi::reset_out;

// The members of a JSON object the C ABI reads, refusing any it does not know (a misspelt option
// would otherwise be ignored silently) and any of the wrong type.
class Options {
 public:
  Options(const char* text, std::string what, std::initializer_list<std::string_view> known)
      : what_(std::move(what)) {
    if (text == nullptr) return;
    object_ = pindeck::model::parse_json_text(text, what_);
    if (!object_.is_object()) throw Error(Errc::invalid, what_ + ": must be a JSON object");
    for (const auto& [key, value] : object_.items()) {
      bool found = false;
      for (auto name : known) found = found || key == name;
      if (!found) throw Error(Errc::invalid, what_ + ": unknown field \"" + key + "\"");
    }
  }

  template <typename T>
  void read(const char* name, T& target) const {
    const auto it = object_.find(name);
    if (it == object_.end()) return;
    const auto refuse = [&] {
      throw Error(Errc::invalid, what_ + ": \"" + name + "\" has the wrong type");
    };
    // nlohmann would turn true into 1 and 2.5 into 2; a C host's mistake should be named instead.
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) refuse();
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) refuse();
      const bool fits = it->is_number_unsigned()
                            ? it->template get<std::uint64_t>() <=
                                  static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                            : it->template get<std::int64_t>() >= std::numeric_limits<T>::min() &&
                                  it->template get<std::int64_t>() <= std::numeric_limits<T>::max();
      if (!fits) throw Error(Errc::invalid, what_ + ": \"" + name + "\" is out of range");
    }
    try {
      target = it->get<T>();
    } catch (const json::exception&) {
      refuse();
    }
  }

 private:
  std::string what_;
  json object_ = json::object();
};

// A variation's metadata may name a variationType, which the record rules accept only beside a
// parent: the parent is the one the call names (register_variation sets it in any case).
pindeck::Record variation_metadata(const char* metadata_json, const char* parent_id) {
  if (metadata_json == nullptr) return {};
  json object = pindeck::model::parse_json_text(metadata_json, "metadata_json");
  if (object.is_object() && !object.contains("parentImageId")) object["parentImageId"] = parent_id;
  return pindeck::record_from_json(object.dump());
}

json created_json(const pindeck::CreateResult& result) {
  return {{"created", result.created}, {"record", pindeck::model::to_json(result.record)}};
}

json results_json(const std::vector<pindeck::ImportResult>& results) {
  json out = json::array();
  for (const auto& r : results) {
    json entry = {{"imageUrl", r.image_url}};
    if (r.record) {
      entry["created"] = r.created;
      entry["record"] = pindeck::model::to_json(*r.record);
    } else {
      entry["error"] = {
          {"status", pd_status_name(static_cast<int>(r.error_code.value_or(Errc::internal)))},
          {"message", r.error}};
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> ids_argument(const char* ids_json) {
  require_arg(ids_json, "ids_json");
  return pindeck::capi::ids_from(pindeck::model::parse_json_text(ids_json, "ids_json"), "ids_json");
}

}  // namespace

extern "C" {

int pd_fetch_settings_set(pd_client* client, const char* settings_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(settings_json, "settings_json");
    const Options options(
        settings_json, "fetch settings",
        {"allowPrivateNetwork", "maxBytes", "connectTimeoutMs", "totalTimeoutMs"});
    pindeck::FetchSettings settings;
    std::int64_t connect_ms = settings.connect_timeout.count();
    std::int64_t total_ms = settings.total_timeout.count();
    options.read("allowPrivateNetwork", settings.allow_private_network);
    options.read("maxBytes", settings.max_bytes);
    options.read("connectTimeoutMs", connect_ms);
    options.read("totalTimeoutMs", total_ms);
    const auto require_positive = [](const char* name, std::int64_t value) {
      if (value <= 0) {
        throw Error(Errc::invalid, std::string("fetch settings: \"") + name +
                                       "\" must be positive (got " + std::to_string(value) + ")");
      }
    };
    require_positive("maxBytes", settings.max_bytes);
    require_positive("connectTimeoutMs", connect_ms);
    require_positive("totalTimeoutMs", total_ms);
    settings.connect_timeout = std::chrono::milliseconds(connect_ms);
    settings.total_timeout = std::chrono::milliseconds(total_ms);
    c.set_fetch_settings(settings);
  });
}

int pd_ingest_url(pd_client* client, const char* url, const char* metadata_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(url, "url");
    *out_json =
        copy_out(created_json(c.ingest_url(url, metadata_or_default(metadata_json))).dump());
  });
}

int pd_ingest_discord_message(pd_client* client, const char* message_json, const char* options_json,
                              char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(message_json, "message_json");
    const Options options(options_json, "Discord options", {"owner", "defaultTags", "maxImages"});
    pindeck::DiscordImportOptions discord;
    options.read("owner", discord.owner);
    options.read("defaultTags", discord.default_tags);
    options.read("maxImages", discord.max_images);
    *out_json = copy_out(results_json(c.ingest_discord_message(message_json, discord)).dump());
  });
}

int pd_ingest_pinterest_pin(pd_client* client, const char* pin_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(pin_json, "pin_json");
    const Options options(pin_json, "pin",
                          {"pageUrl", "imageUrl", "title", "description", "board"});
    pindeck::PinterestPin pin;
    options.read("pageUrl", pin.page_url);
    options.read("imageUrl", pin.image_url);
    options.read("title", pin.title);
    options.read("description", pin.description);
    options.read("board", pin.board);
    *out_json = copy_out(created_json(c.ingest_pinterest_pin(pin)).dump());
  });
}

int pd_ingest_pinterest_feed(pd_client* client, const char* feed, const char* board,
                             char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(feed, "feed");
    const std::string_view text(feed);
    const std::string_view board_name = board ? board : "";
    const bool is_url = text.starts_with("http://") || text.starts_with("https://");
    *out_json = copy_out(results_json(is_url ? c.ingest_pinterest_feed_url(text, board_name)
                                             : c.ingest_pinterest_feed(text, board_name))
                             .dump());
  });
}

int pd_register_variation(pd_client* client, const char* parent_id, const char* image,
                          const char* metadata_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(parent_id, "parent_id");
    require_arg(image, "image");
    const std::string_view where(image);
    const auto metadata = variation_metadata(metadata_json, parent_id);
    const bool is_url = where.starts_with("http://") || where.starts_with("https://");
    *out_json = copy_out(
        created_json(is_url ? c.register_variation_url(parent_id, where, metadata)
                            : c.register_variation(parent_id, std::string(where), metadata))
            .dump());
  });
}

int pd_approve(pd_client* client, const char* ids_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    json records = json::array();
    for (const auto& record : c.approve(ids_argument(ids_json))) {
      records.push_back(pindeck::model::to_json(record));
    }
    *out_json = copy_out(records.dump());
  });
}

int pd_reject(pd_client* client, const char* ids_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    *out_json =
        copy_out(pindeck::capi::delete_report_json(c.reject(ids_argument(ids_json)), false).dump());
  });
}

}  // extern "C"
