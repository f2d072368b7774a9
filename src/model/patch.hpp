// SPDX-License-Identifier: Apache-2.0
// Partial updates: a JSON object naming only the fields to change.
#pragma once

#include <nlohmann/json.hpp>

#include "pindeck/record.hpp"

namespace pindeck::model {

// Returns `current` with the patch applied: a key with a value sets that field, a key with null
// unsets an optional field. `id` cannot be changed, and title, category, tags, uniqueId,
// uploadedAt, likes and views cannot be unset. Every field the patch changes is validated (a stored
// field that breaks a newer rule may stay as it is); `current` is never modified.
Record apply_patch(const Record& current, const nlohmann::json& patch);

}  // namespace pindeck::model
