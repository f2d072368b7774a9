// SPDX-License-Identifier: Apache-2.0
// How the command prints records: a table or key/value lines for people, JSON for programs.
// Text meant for people shows control characters as escapes (\n, \x1b, \u009b); JSON escapes
// them its own way. On a terminal the palette is drawn as 24-bit colour swatches (ESC[48;2;r;g;bm
// blocks), the only escapes the command writes itself.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "pindeck/client.hpp"

namespace pindeck_cli {

// The text with every control character shown as an escape (\n, \t, \r, \xNN, \u0080 to
// \u009f), so a record (perhaps stored by an older version, which took them) can neither
// drive the terminal nor break the one-line-per-record format.
std::string printable(std::string_view s);

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

// A palette colour ("#rrggbb", lowercase as records hold them), or nothing for any other text.
std::optional<Rgb> parse_colour(std::string_view text);

// One line per record: id, upload date, category, title and tags (with `palette_swatches`, then
// the palette as swatches); then the cursor of the next page, if there is one.
void print_table(std::ostream& out, const pindeck::RecordPage& page, bool palette_swatches);

// Every field the record has, one "name: value" line each, in alphabetical order; with
// `palette_swatches` the colors are drawn as swatches, each followed by its hex.
void print_details(std::ostream& out, const pindeck::Record& record, bool palette_swatches);

// {"records": [...], "nextCursor": "..." or null}
void print_page_json(std::ostream& out, const pindeck::RecordPage& page);

void print_record_json(std::ostream& out, const pindeck::Record& record);

// One line per record: its id and its palette ("-" when it has none), drawn as swatches with
// `palette_swatches`.
void print_palettes(std::ostream& out, const std::vector<pindeck::Record>& records,
                    bool palette_swatches);

// [record, ...]
void print_records_json(std::ostream& out, const std::vector<pindeck::Record>& records);

// The counts of `pindeck stats`: for people, the total and one line per field ("genre: Noir 5,
// Drama 2; 3 without"); as JSON, {"total", "category": [{"value", "count"}, ...], "group",
// "genre", "style", "projectName", "moodboardName", "sourceType", "status"} as pd_record_stats.
void print_stats(std::ostream& out, const pindeck::RecordStats& stats, bool json_out);
// The persistence queue: plain, one line of counts and one per first-stage store; or JSON, as
// pd_queue_counts gives it.
void print_queue_counts(std::ostream& out, const pindeck::QueueCounts& counts, bool json_out);

// The value of a counter after `pindeck like|view`: "likes: 3", or {"id", "likes": 3}.
void print_counter(std::ostream& out, const std::string& id, pindeck::Counter counter,
                   std::int64_t value, bool json_out);

}  // namespace pindeck_cli
