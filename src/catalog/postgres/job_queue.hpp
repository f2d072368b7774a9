// SPDX-License-Identifier: Apache-2.0
// The durable queue of persist jobs in the PostgreSQL catalog: the twin of ../job_queue.hpp, same
// methods, same semantics. Many processes on many hosts claim from it at once: a claim takes the
// due job that has waited longest among those no other transaction has locked (FOR UPDATE SKIP
// LOCKED), so claimers never wait on each other and never take the same job.
//
// Writes must run inside PostgresCatalog::write, so a job change commits together with the record
// change that goes with it.
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

namespace pindeck::catalog::postgres {

class Connection;

class JobQueue : public JobLeases {
 public:
  using JobLeases::JobLeases;

  void enqueue(Connection& db, std::string_view record_id);
  std::optional<Job> claim(Connection& db);
  bool renew(Connection& db, Job& job);
  bool holds(Connection& db, const Job& job) const;
  bool complete(Connection& db, const Job& job);
  bool retry_later(Connection& db, const Job& job, std::chrono::milliseconds delay,
                   std::string_view error);
  bool fail(Connection& db, const Job& job, std::string_view error, FailureKind kind);
  void requeue_for_backfill(Connection& db, std::string_view record_id);
  // The ids of the records a backfill requeues, in its order (PersistJobs::
  // requeue_awaiting_backfill says which and in what order).
  std::vector<std::string> awaiting_backfill(Connection& db, int limit,
                                             bool include_permanent) const;
  // Every storageId a record names.
  std::set<std::string> staged_ids(Connection& db) const;

  std::optional<Job> find(Connection& db, std::string_view record_id) const;
  JobCounts counts(Connection& db) const;
  std::optional<std::int64_t> next_claimable_at(Connection& db) const;
};

}  // namespace pindeck::catalog::postgres
