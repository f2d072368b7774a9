// SPDX-License-Identifier: Apache-2.0
// Listing and full-text search of records: filters, ordering and cursors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "catalog/query_rules.hpp"
#include "catalog/sqlite.hpp"
#include "pindeck/query.hpp"

namespace pindeck::catalog {

// With `parent_id`, only the records whose parentImageId it is (lineage.hpp's children).
RecordPage list_records(Database& db, const RecordQuery& query,
                        std::optional<std::string_view> parent_id = std::nullopt);

RecordPage search_records(Database& db, std::string_view text, const RecordQuery& query);

// Counts the records `query` selects (its filters; order, limit and cursor are ignored) per value
// of each field RecordStats names. Call inside a read transaction for counts of one moment.
RecordStats count_records(Database& db, const RecordQuery& query);

// Turns what a person typed into an FTS5 query: each word quoted (so FTS5 operators in the text
// are just words), all words required, the last one also as a prefix when it has at least
// min_prefix_chars characters. Throws for blank text.
std::string fts_query(std::string_view text);

}  // namespace pindeck::catalog
