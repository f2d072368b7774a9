// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_text.hpp"

#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

std::string json_quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

std::string json_text_replacing_invalid(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_quoted_replacing_invalid(std::string_view s) {
  return json_text_replacing_invalid(std::string(s));
}

std::string quoted_ids(const std::vector<std::string>& ids, QuoteId quote, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) {
    if (i > 0) out += ", ";
    out += quote(ids[i]);
  }
  if (ids.size() > shown) {
    out += " and ";
    out += std::to_string(ids.size() - shown);
    out += " more";
  }
  return out;
}

std::string record_doc(const Record& record) {
  try {
    return model::to_json(record).dump();
  } catch (const nlohmann::json::type_error&) {
    throw Error(Errc::invalid, "record: every text field must be valid UTF-8");
  }
}

Record record_from_doc(const std::string& doc) {
  return model::from_stored_json(nlohmann::json::parse(doc));
}

std::string joined_tags(const Record& record) {
  std::string out;
  for (const auto& tag : record.tags) {
    if (!out.empty()) out += ' ';
    out += tag;
  }
  return out;
}

}  // namespace pindeck::catalog
