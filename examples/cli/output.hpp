// SPDX-License-Identifier: Apache-2.0
// How the command prints records: a table or key/value lines for people, JSON for programs.
// Text meant for people shows control characters as escapes (\n, \x1b, \u009b); JSON escapes
// them its own way.
#pragma once

#include <iosfwd>

#include "pindeck/client.hpp"

namespace pindeck_cli {

// One line per record: id, upload date, category, title and tags; then the cursor of the next
// page, if there is one.
void print_table(std::ostream& out, const pindeck::RecordPage& page);

// Every field the record has, one "name: value" line each, in alphabetical order.
void print_details(std::ostream& out, const pindeck::Record& record);

// {"records": [...], "nextCursor": "..." or null}
void print_page_json(std::ostream& out, const pindeck::RecordPage& page);

void print_record_json(std::ostream& out, const pindeck::Record& record);

// The counts of `pindeck stats`: for people, the total and one line per field ("genre: Noir 5,
// Drama 2; 3 without"); as JSON, {"total", "category": [{"value", "count"}, ...], "group",
// "genre", "style", "projectName", "moodboardName", "sourceType", "status"} as pd_record_stats.
void print_stats(std::ostream& out, const pindeck::RecordStats& stats, bool json_out);

// The value of a counter after `pindeck like|view`: "likes: 3", or {"id", "likes": 3}.
void print_counter(std::ostream& out, const std::string& id, pindeck::Counter counter,
                   std::int64_t value, bool json_out);

}  // namespace pindeck_cli
