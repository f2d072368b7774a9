// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL catalog's schema and its migrations. The tables are those of the SQLite catalog
// (migrations.cpp) at its latest version, in PostgreSQL's types; the full-text index is a
// tsvector column, and a record's tags and colours reach their rows through foreign keys.
#pragma once

#include <span>
#include <string_view>

#include "catalog/schema_history.hpp"

namespace pindeck::catalog::postgres {

class Connection;

std::span<const Migration> migrations();
int latest_schema_version();
// 0 for a database without the catalog's tables.
int schema_version(Connection& db);
// Brings the schema to `target` in one transaction, holding an advisory lock so that processes
// opening the same new catalog at once migrate it once. Errc::database for a catalog newer than
// this library.
void migrate(Connection& db, int target = latest_schema_version());

}  // namespace pindeck::catalog::postgres
