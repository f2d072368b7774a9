// SPDX-License-Identifier: Apache-2.0
#include "model/patch.hpp"

#include <array>
#include <string_view>

#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {

namespace {
// Fields every record has; a patch may change them but not unset them.
constexpr std::array<std::string_view, 7> required_fields{
    "title", "category", "tags", "uniqueId", "uploadedAt", "likes", "views"};
}  // namespace

Record apply_patch(const Record& current, const nlohmann::json& patch) {
  if (!patch.is_object()) {
    throw Error(Errc::invalid,
                std::string("patch: must be a JSON object, not ") + patch.type_name());
  }
  nlohmann::json merged = to_json(current);
  for (const auto& [key, value] : patch.items()) {
    if (key == "id") {
      if (value == merged["id"]) continue;
      throw Error(Errc::invalid, "id: is assigned by the library and cannot be changed");
    }
    if (value.is_null()) {
      for (auto required : required_fields) {
        if (key == required) throw Error(Errc::invalid, key + ": cannot be unset");
      }
    }
    // null unsets an optional field: the reader takes null as "unset" and refuses unknown keys.
    merged[key] = value;
  }
  return from_json_changing(merged, current);
}

}  // namespace pindeck::model
