// SPDX-License-Identifier: Apache-2.0
// Listing, full-text search and counts of records in the PostgreSQL catalog: the twin of
// ../record_queries.hpp, with the same filters, order, cursors, limits and errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pindeck/query.hpp"

namespace pindeck::catalog::postgres {

class Connection;

// With `parent_id`, only the records whose parentImageId it is (lineage.hpp's children).
RecordPage list_records(Connection& db, const RecordQuery& query,
                        std::optional<std::string_view> parent_id = std::nullopt);
// Every word of `text` must match, the last one also as a prefix (as ../record_queries.hpp's
// fts_query says); best matches first.
RecordPage search_records(Connection& db, std::string_view text, const RecordQuery& query);
// Counts the records `query` selects per value of each field RecordStats names. Call inside a
// ReadTransaction for counts of one moment.
RecordStats count_records(Connection& db, const RecordQuery& query);

}  // namespace pindeck::catalog::postgres
