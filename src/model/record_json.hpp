// SPDX-License-Identifier: Apache-2.0
// The record's JSON form (DESIGN §2): camelCase names, optional fields absent when unset.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "pindeck/record.hpp"

namespace pindeck::model {

nlohmann::json to_json(const Record& record);

// Reads a JSON object into a record: every field's JSON type is checked, unknown fields are
// refused, null stands for "unset" on optional fields, then validate() checks the values.
// Throws Error(Errc::invalid) with "<field>: <problem>".
Record from_json(const nlohmann::json& object);

// Parses JSON text, turning a syntax error into Error(Errc::invalid) that says what was being
// read ("record", "patch", "query") and where the text went wrong.
nlohmann::json parse_json_text(std::string_view text, std::string_view what);

}  // namespace pindeck::model
