// SPDX-License-Identifier: Apache-2.0
// The value rules of a record (DESIGN §2, the limits in pindeck/record.hpp), for records however
// they were made: one set of rules for create, batch, update, upload metadata and the C ABI.
#pragma once

#include <string>
#include <string_view>

#include "pindeck/record.hpp"

namespace pindeck::model {

// Throws Error(Errc::invalid, "<field>: <problem>") for the first rule the record breaks.
void validate(const Record& record);

// The same rules for the fields `after` changes from `before` (a stored record). A record stored
// by an older version that breaks a newer rule stays readable and can still be changed; whatever
// is written anew must be valid.
void validate_change(const Record& before, const Record& after);

// Throws Error(Errc::invalid, "<field>: is not valid UTF-8 ...") unless `text` is valid UTF-8.
void require_utf8(std::string_view field, std::string_view text);

// Makes a message the library writes into a multi-line field fit its rules: control characters
// other than newline and tab become spaces, and it is cut (with "...") to `max_chars`.
std::string fit_message(std::string_view message, std::size_t max_chars);

// Drops repeated tags (keeping the first of each), so a tag is stored once per record.
void drop_repeated_tags(Record& record);

}  // namespace pindeck::model
