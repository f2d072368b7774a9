// SPDX-License-Identifier: Apache-2.0
// The durable queue of persist jobs in the SQLite catalog (DESIGN §6; table in
// job_queue_schema.hpp): the SQL behind SqlPersistJobs (sql_persist_jobs.hpp). A worker claims a
// job with a lease (owner and expiry); the claim runs in the catalog's IMMEDIATE write transaction,
// so two processes on the same database never hold the same job. A lease that expires (its holder
// crashed) makes the job claimable again.
//
// Every method works on the connection it is given; writes must run inside
// SqlCatalog::write (which holds the catalog's lock and an IMMEDIATE transaction), so a
// job change commits together with the record change that goes with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/job_leases.hpp"
#include "catalog/persist_jobs.hpp"

namespace pindeck::catalog {

class Database;

class JobQueue : public JobLeases {
 public:
  using JobLeases::JobLeases;

  // Queues a job for `record_id`, due now. A failed job is requeued with its attempts reset; a
  // job that is already queued (perhaps running) is left alone.
  void enqueue(Database& db, std::string_view record_id);

  // Claims the due job that has waited longest among those of this queue's staging site and
  // those of none, or nothing; its attempts go up by one. A crash
  // counts as an attempt, so an image that kills its worker cannot loop forever.
  std::optional<Job> claim(Database& db);
  // Extends this owner's lease; false when it was lost (expired and taken by another owner).
  bool renew(Database& db, Job& job);
  // Whether this owner still holds the job's lease.
  bool holds(Database& db, const Job& job) const;
  // Removes the job if this owner still holds its lease; false otherwise (then the caller must
  // not commit its result: another owner is redoing the job).
  bool complete(Database& db, const Job& job);
  // Releases the lease and makes the job due again after `delay`, remembering `error`.
  bool retry_later(Database& db, const Job& job, std::chrono::milliseconds delay,
                   std::string_view error);
  // Marks the job failed, and how (until a backfill requeues it).
  bool fail(Database& db, const Job& job, std::string_view error, FailureKind kind);
  // Requeues a record's job for a backfill: as enqueue, remembering when.
  void requeue_for_backfill(Database& db, std::string_view record_id);

  // The ids of the records a backfill requeues, in its order (PersistJobs::
  // requeue_awaiting_backfill says which and in what order).
  std::vector<std::string> awaiting_backfill(Database& db, int limit, bool include_permanent) const;
  // Every storageId a record names.
  std::set<std::string> staged_ids(Database& db) const;

  std::optional<Job> find(Database& db, std::string_view record_id) const;
  JobCounts counts(Database& db) const;
  // When the next queued job becomes claimable (due and unleased), or nothing when none is.
  std::optional<std::int64_t> next_claimable_at(Database& db) const;
};

}  // namespace pindeck::catalog
