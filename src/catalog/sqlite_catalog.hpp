// SPDX-License-Identifier: Apache-2.0
// The catalog in one SQLite file: safe to share between threads (calls are serialised on one
// connection) and between processes (WAL, busy timeout, IMMEDIATE write transactions).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog_export.hpp"
#include "catalog/job_queue.hpp"
#include "catalog/lineage.hpp"
#include "catalog/record_queries.hpp"
#include "catalog/record_removal.hpp"
#include "catalog/records_table.hpp"
#include "catalog/sql_catalog.hpp"
#include "catalog/sqlite.hpp"

namespace pindeck::catalog {

struct SqliteBackend;
using SqliteCatalogBase = SqlCatalog<SqliteBackend>;

// Makes the delete queue of a SQLite catalog (sqlite_delete_jobs.cpp).
std::unique_ptr<DeleteJobs> make_sqlite_delete_jobs(SqliteCatalogBase& catalog, std::string owner,
                                                    std::chrono::milliseconds lease,
                                                    util::Clock clock);

struct SqliteBackend {
  using Database = catalog::Database;
  using WriteTransaction = catalog::Transaction;
  using ReadTransaction = catalog::ReadTransaction;
  using JobQueue = catalog::JobQueue;

  static std::unique_ptr<DeleteJobs> delete_jobs(SqliteCatalogBase& catalog, std::string owner,
                                                 std::chrono::milliseconds lease,
                                                 util::Clock clock) {
    return make_sqlite_delete_jobs(catalog, std::move(owner), lease, std::move(clock));
  }
};

// Compiled once, in sqlite_catalog.cpp.
extern template class SqlCatalog<SqliteBackend>;

class SqliteCatalog final : public SqliteCatalogBase {
 public:
  // Opens or creates the catalog file and brings its schema up to date.
  static std::unique_ptr<SqliteCatalog> open(const std::filesystem::path& file);

 private:
  explicit SqliteCatalog(std::unique_ptr<Database> db) : SqliteCatalogBase(std::move(db)) {}
};

}  // namespace pindeck::catalog
