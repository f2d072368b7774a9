// SPDX-License-Identifier: Apache-2.0
// Reading and writing whole rows of the SQLite catalog for copying it into another catalog
// (Catalog::export_after and its kin, written once in sql_catalog.hpp). Write functions must run
// inside a Transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"

namespace pindeck::catalog {

class Database;

// Up to `limit` records with their persist jobs, in pk order, after the record `after_id` (from
// the first when empty or no longer stored).
std::vector<CatalogEntry> entries_page(Database& db, std::string_view after_id, int limit);

// Stores a persist job as it was copied, for the record `record_id` just stored.
void store_job(Database& db, std::string_view record_id, const JobSnapshot& job);
// Gives the record stored as `assigned_id` the id and document of `record` (whose fields it holds
// already): a copied record keeps the id it had.
void rename_record(Database& db, std::string_view assigned_id, const Record& record);

// Up to `limit` delete jobs after `after_position`, in order.
std::vector<DeleteJobSnapshot> delete_jobs_page(Database& db, std::int64_t after_position,
                                                int limit);

// Queues the deletion unless one for the same record made at the same time is queued; returns
// whether it queued it.
bool store_delete_job(Database& db, const DeleteJobSnapshot& job);

}  // namespace pindeck::catalog
