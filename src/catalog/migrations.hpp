// SPDX-License-Identifier: Apache-2.0
// The catalog's schema history. PRAGMA user_version holds the number of the last migration
// applied; opening a catalog applies the missing ones, in order, in one transaction.
//
// To change the schema, append a migration to the list in migrations.cpp (never edit one that has
// shipped): the next version number and the SQL that takes the previous schema to the new one.
#pragma once

#include <span>
#include <string_view>

#include "catalog/schema_history.hpp"
#include "catalog/sqlite.hpp"

namespace pindeck::catalog {

std::span<const Migration> migrations();

// The version a fully migrated catalog has.
int latest_schema_version();

int schema_version(Database& db);

// Brings the schema up to `target` (default: the latest). A catalog newer than this library
// knows is refused, and so is a failed migration: it is rolled back and the file left as it was.
void migrate(Database& db, int target = latest_schema_version());

}  // namespace pindeck::catalog
