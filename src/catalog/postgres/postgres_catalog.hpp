// SPDX-License-Identifier: Apache-2.0
// The catalog on a PostgreSQL server, for hosts that share one catalog and one job queue (DESIGN
// §6): safe to share between threads (calls are serialised on one connection) and between
// processes on any number of hosts (row locks, SKIP LOCKED claims, unique constraints).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "catalog/postgres/catalog_export.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/postgres/job_queue.hpp"
#include "catalog/postgres/lineage.hpp"
#include "catalog/postgres/record_queries.hpp"
#include "catalog/postgres/record_removal.hpp"
#include "catalog/postgres/records_table.hpp"
#include "catalog/sql_catalog.hpp"

namespace pindeck::catalog::postgres {

struct Backend;
using PostgresCatalogBase = SqlCatalog<Backend>;

// Makes the delete queue of a PostgreSQL catalog (delete_jobs.cpp).
std::unique_ptr<DeleteJobs> make_delete_jobs(PostgresCatalogBase& catalog, std::string owner,
                                             std::chrono::milliseconds lease, util::Clock clock);

struct Backend {
  using Database = Connection;
  using WriteTransaction = Transaction;
  using ReadTransaction = postgres::ReadTransaction;
  using JobQueue = postgres::JobQueue;

  static std::unique_ptr<DeleteJobs> delete_jobs(PostgresCatalogBase& catalog, std::string owner,
                                                 std::chrono::milliseconds lease,
                                                 util::Clock clock) {
    return make_delete_jobs(catalog, std::move(owner), lease, std::move(clock));
  }
};

}  // namespace pindeck::catalog::postgres

// Compiled once, in postgres_catalog.cpp.
extern template class pindeck::catalog::SqlCatalog<pindeck::catalog::postgres::Backend>;

namespace pindeck::catalog::postgres {

class PostgresCatalog final : public PostgresCatalogBase {
 public:
  // Connects to the server the URL names and brings the catalog's schema up to date. The errors
  // of Connection::open and migrate().
  static std::unique_ptr<PostgresCatalog> open(const std::string& url);

  // LISTENs on a connection of its own (settled_watch.hpp).
  std::unique_ptr<SettledWatch> watch_settled(
      std::function<void(std::string_view record_id)> settled) override;

 private:
  PostgresCatalog(std::unique_ptr<Connection> db, std::string url)
      : PostgresCatalogBase(std::move(db)), url_(std::move(url)) {}

  std::string url_;
};

}  // namespace pindeck::catalog::postgres
