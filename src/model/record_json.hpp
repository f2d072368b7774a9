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

// Reads a record the catalog stored: every field's JSON type is checked, but not the value rules,
// so records stored by an older version stay readable when a rule becomes stricter.
Record from_stored_json(const nlohmann::json& object);

// Reads a changed version of `before`; only the fields that differ from it must follow the value
// rules (see validate_change).
Record from_json_changing(const nlohmann::json& object, const Record& before);

// Refuses the JSON text of one record or patch over limits::record_json_bytes before it is parsed.
void require_record_json_size(std::string_view text, std::string_view what);

// Refuses the JSON text of a batch of records over limits::batch_json_bytes before it is parsed.
void require_batch_json_size(std::string_view text);

// Parses JSON text, turning a syntax error into Error(Errc::invalid) that says what was being
// read ("record", "patch", "query") and where the text went wrong.
nlohmann::json parse_json_text(std::string_view text, std::string_view what);

}  // namespace pindeck::model
