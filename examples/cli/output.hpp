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

// One line per record: its id and its palette ("-" when it has none).
void print_palettes(std::ostream& out, const std::vector<pindeck::Record>& records);

// [record, ...]
void print_records_json(std::ostream& out, const std::vector<pindeck::Record>& records);

}  // namespace pindeck_cli
