// SPDX-License-Identifier: Apache-2.0
// Reading and writing records in the PostgreSQL catalog's tables (records with its search vector,
// record_tags, record_colors), kept in step with each other: the twin of ../records_table.hpp,
// with the same rules and errors. Write functions must run inside a Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "catalog/catalog.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog::postgres {

class Connection;

std::optional<Record> find_record(Connection& db, std::string_view id);
// The record whose `key` is `value` (the oldest one for sourceUrl, which is not unique).
std::optional<Record> find_record_by(Connection& db, RecordKey key, std::string_view value);
// Throws Error(Errc::not_found) naming the id when there is no such record.
Record load_record(Connection& db, std::string_view id);
// find_record and load_record for a write that changes the record after reading it: the row is
// locked (FOR UPDATE) until the transaction ends, so a writer on another host cannot change it in
// between and have its change lost.
std::optional<Record> find_record_to_change(Connection& db, std::string_view id);
Record load_record_to_change(Connection& db, std::string_view id);
// Validates `record`, assigns id, uniqueId and uploadedAt where unset, and inserts it; a record
// whose externalId or generationArtifactKey is already stored yields the stored one instead (also
// when another process stores it at the same moment).
CreateResult insert_record(Connection& db, Record record);
// Rewrites a stored record (matched by id) after validating it.
void replace_record(Connection& db, const Record& record);
// Adds `delta` (negative to take away) to a record's likes or views in one statement, and returns
// the new value. Errc::invalid when the result would be negative or over limits::count (nothing
// changes), Errc::not_found naming a missing id.
std::int64_t increment_counter(Connection& db, std::string_view id, Counter counter,
                               std::int64_t delta);
// Deletes a stored record's rows: the record and, by foreign key, its tags, colours and persist
// job. The caller decides whether it may go (record_removal.hpp).
void delete_record(Connection& db, const Record& stored);

}  // namespace pindeck::catalog::postgres
