// SPDX-License-Identifier: Apache-2.0
// Identifiers the library assigns to records.
#pragma once

#include <cstdint>
#include <string>

namespace pindeck::model {

// The record id, 17 characters of [0-9a-z]: 9 base-36 digits of the millisecond timestamp (fixed
// width, so ids sort by time as plain strings until the year 5188), a 3-digit sequence number
// that keeps ids of one process increasing within a millisecond, and 5 random characters that
// keep ids of different processes apart.
std::string new_record_id(std::int64_t ms);

// Pindeck's own uniqueId form: "img-<ms>-<7 random base-36 characters>".
std::string new_unique_id(std::int64_t ms);

}  // namespace pindeck::model
