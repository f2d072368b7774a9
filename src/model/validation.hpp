// SPDX-License-Identifier: Apache-2.0
// The value rules of a record (DESIGN §2), for records however they were made.
#pragma once

#include "pindeck/record.hpp"

namespace pindeck::model {

inline constexpr std::size_t max_title_chars = 300;
inline constexpr std::size_t max_colors = 5;

// Throws Error(Errc::invalid, "<field>: <problem>") for the first rule the record breaks.
void validate(const Record& record);

// Drops repeated tags (keeping the first of each), so a tag is stored once per record.
void drop_repeated_tags(Record& record);

}  // namespace pindeck::model
