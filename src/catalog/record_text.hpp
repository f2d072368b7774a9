// SPDX-License-Identifier: Apache-2.0
// A record as the catalog tables hold it, and the quoted values catalog errors name: the text both
// backends write and read, whatever database holds it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/enums.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog {

// `s` as a JSON string, for an error message. Throws nlohmann::json::type_error for text that is
// not UTF-8.
std::string json_quoted(std::string_view s);

// `value` as JSON text, with invalid UTF-8 shown as replacement characters: for ids that were not
// checked for UTF-8, so that one that is not names no record instead of breaking the JSON.
std::string json_text_replacing_invalid(const nlohmann::json& value);
std::string json_quoted_replacing_invalid(std::string_view s);

// How a list of ids quotes each one: json_quoted or json_quoted_replacing_invalid.
using QuoteId = std::string (*)(std::string_view);

// The quoted ids, comma separated; past `shown`, only how many more.
std::string quoted_ids(const std::vector<std::string>& ids, QuoteId quote, std::size_t shown = 10);

// The stored document of a record. Errc::invalid when a text field is not UTF-8.
std::string record_doc(const Record& record);
Record record_from_doc(const std::string& doc);

// The tags as the search text holds them: space separated.
std::string joined_tags(const Record& record);

// An enum field's stored text; nullopt when unset.
std::optional<std::string> enum_text(const auto& value) {
  if (!value) return std::nullopt;
  return std::string(model::to_string(*value));
}

}  // namespace pindeck::catalog
