// SPDX-License-Identifier: Apache-2.0
#include "catalog/query_json.hpp"

#include "catalog/query_rules.hpp"
#include "model/enums.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

using nlohmann::json;

namespace {

[[noreturn]] void refuse(const std::string& key, const std::string& problem) {
  throw Error(Errc::invalid, "query." + key + ": " + problem);
}

std::string string_value(const std::string& key, const json& v) {
  if (!v.is_string()) refuse(key, std::string("must be a string, not ") + v.type_name());
  return v.get<std::string>();
}

template <typename Enum>
Enum enum_value(const std::string& key, const json& v,
                std::optional<Enum> (*parse)(std::string_view)) {
  auto text = string_value(key, v);
  auto value = parse(text);
  if (!value) {
    refuse(key, "unknown value " + json(text).dump() + " (expected " +
                    std::string(model::expected_values<Enum>()) + ")");
  }
  return *value;
}

}  // namespace

RecordQuery query_from_json(const json& object) {
  if (!object.is_object()) {
    throw Error(Errc::invalid,
                std::string("query: must be a JSON object, not ") + object.type_name());
  }
  RecordQuery q;
  for (const auto& [key, v] : object.items()) {
    if (v.is_null()) continue;  // same as leaving the key out
    if (key == "category") {
      q.category = string_value(key, v);
    } else if (key == "group") {
      q.group = string_value(key, v);
    } else if (key == "projectName") {
      q.project_name = string_value(key, v);
    } else if (key == "moodboardName") {
      q.moodboard_name = string_value(key, v);
    } else if (key == "sourceType") {
      q.source_type = enum_value(key, v, model::parse_source_type);
    } else if (key == "status") {
      q.status = enum_value(key, v, model::parse_record_status);
    } else if (key == "genre") {
      q.genre = string_value(key, v);
    } else if (key == "style") {
      q.style = string_value(key, v);
    } else if (key == "shot") {
      q.shot = string_value(key, v);
    } else if (key == "aiStatus") {
      q.ai_status = enum_value(key, v, model::parse_ai_status);
    } else if (key == "variationType") {
      q.variation_type = enum_value(key, v, model::parse_variation_type);
    } else if (key == "tag") {
      q.tags.push_back(string_value(key, v));
    } else if (key == "tags") {
      if (!v.is_array())
        refuse(key, std::string("must be an array of strings, not ") + v.type_name());
      for (const auto& tag : v) q.tags.push_back(string_value(key + "[]", tag));
    } else if (key == "originalsOnly") {
      if (!v.is_boolean()) refuse(key, std::string("must be true or false, not ") + v.type_name());
      q.originals_only = v.get<bool>();
    } else if (key == "order") {
      auto order = string_value(key, v);
      if (order == "uploadedAt") {
        q.order = RecordOrder::newest_first;
      } else if (order == "project") {
        q.order = RecordOrder::project_row;
      } else if (order == "closeness") {
        q.order = RecordOrder::closeness;
      } else {
        refuse(key, "unknown value " + json(order).dump() +
                        " (expected uploadedAt, project or closeness)");
      }
    } else if (key == "color") {
      q.color = string_value(key, v);
    } else if (key == "colorDistance") {
      if (!v.is_number()) refuse(key, std::string("must be a number, not ") + v.type_name());
      q.color_distance = v.get<double>();
    } else if (key == "limit") {
      if (!v.is_number_integer()) refuse(key, "must be a whole number");
      auto limit = v.get<std::int64_t>();
      if (limit < 1 || limit > max_page_size) {
        refuse(key, "must be between 1 and " + std::to_string(max_page_size));
      }
      q.limit = static_cast<int>(limit);
    } else if (key == "cursor") {
      q.cursor = string_value(key, v);
    } else {
      refuse(key, "unknown field");
    }
  }
  return q;
}

json page_to_json(const RecordPage& page) {
  json records = json::array();
  for (const auto& r : page.records) records.push_back(model::to_json(r));
  json out = {{"records", std::move(records)}, {"nextCursor", nullptr}};
  if (page.next_cursor) out["nextCursor"] = *page.next_cursor;
  return out;
}

json stats_to_json(const RecordStats& stats) {
  const auto counts = [](const std::vector<ValueCount>& list) {
    json out = json::array();
    for (const auto& [value, count] : list) out.push_back({{"value", value}, {"count", count}});
    return out;
  };
  return {{"total", stats.total},
          {"category", counts(stats.category)},
          {"group", counts(stats.group)},
          {"genre", counts(stats.genre)},
          {"style", counts(stats.style)},
          {"projectName", counts(stats.project_name)},
          {"moodboardName", counts(stats.moodboard_name)},
          {"sourceType", counts(stats.source_type)},
          {"status", counts(stats.status)}};
}

}  // namespace pindeck::catalog
