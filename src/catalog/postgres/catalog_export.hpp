// SPDX-License-Identifier: Apache-2.0
// Reading and writing whole rows of the PostgreSQL catalog for copying it into another catalog:
// the twin of ../catalog_export.hpp, with the same rules and errors. Write functions must run
// inside a Transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"

namespace pindeck::catalog::postgres {

class Connection;

std::vector<CatalogEntry> entries_page(Connection& db, std::string_view after_id, int limit);
// Stores a persist job as it was copied, for the record `record_id` just stored.
void store_job(Connection& db, std::string_view record_id, const JobSnapshot& job);
// Gives the record stored as `assigned_id` the id and document of `record` (whose fields it holds
// already): a copied record keeps the id it had.
void rename_record(Connection& db, std::string_view assigned_id, const Record& record);
std::vector<DeleteJobSnapshot> delete_jobs_page(Connection& db, std::int64_t after_position,
                                                int limit);
bool store_delete_job(Connection& db, const DeleteJobSnapshot& job);

}  // namespace pindeck::catalog::postgres
