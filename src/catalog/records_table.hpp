// SPDX-License-Identifier: Apache-2.0
// Reading and writing records in the catalog's tables (records, record_tags, records_fts,
// record_colors), kept in step with each other. Write functions must run inside a Transaction.
#pragma once

#include <optional>
#include <string_view>

#include "catalog/catalog.hpp"
#include "catalog/sqlite.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog {

std::optional<Record> find_record(Database& db, std::string_view id);

// The record whose `key` is `value` (the oldest one for sourceUrl, which is not unique).
std::optional<Record> find_record_by(Database& db, RecordKey key, std::string_view value);

// Throws Error(Errc::not_found) naming the id when there is no such record.
Record load_record(Database& db, std::string_view id);

// find_record and load_record for a write that changes the record after reading it, so that no
// other writer changes it in between. SQLite's IMMEDIATE write transaction already holds the
// database's write lock: here they are the plain reads.
inline std::optional<Record> find_record_to_change(Database& db, std::string_view id) {
  return find_record(db, id);
}
inline Record load_record_to_change(Database& db, std::string_view id) {
  return load_record(db, id);
}
// Validates `record`, assigns id, uniqueId and uploadedAt where unset, and inserts it; a record
// whose externalId or generationArtifactKey is already stored yields the stored one instead.
CreateResult insert_record(Database& db, Record record);

// Rewrites a stored record (matched by id) after validating it.
void replace_record(Database& db, const Record& record);

// Adds `delta` (negative to take away) to a record's likes or views in one statement, and returns
// the new value. Errc::invalid when the result would be negative or over limits::count (nothing
// changes), Errc::not_found naming a missing id.
std::int64_t increment_counter(Database& db, std::string_view id, Counter counter,
                               std::int64_t delta);

// Deletes a stored record's rows: the record, its tags, its search entry and (by the foreign key)
// its persist job. The caller decides whether it may go (record_removal.hpp).
void delete_record(Database& db, const Record& stored);

}  // namespace pindeck::catalog
