// The durable queue of persist jobs, in the catalog's SQLite database (DESIGN §6; table in
// job_queue_schema.hpp). A worker claims a job with a lease (owner and expiry); the claim runs in
// the catalog's IMMEDIATE write transaction, so two processes on the same database never hold
// the same job. A lease that expires (its holder crashed) makes the job claimable again.
//
// Every method works on the connection it is given; writes must run inside
// catalog::Catalog::write (which holds the catalog's lock and an IMMEDIATE transaction), so a
// job change commits together with the record change that goes with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.hpp"

namespace pindeck::catalog {
class Database;
}

namespace pindeck::pipeline {

struct Job {
  std::string record_id;
  int attempts = 0;  // claims so far, including the one that returned this
  std::string lease_owner;
  std::int64_t lease_expires_at = 0;
  std::optional<std::string> last_error;
};

struct JobCounts {
  std::int64_t queued = 0;  // waiting, leased or waiting for a retry
  std::int64_t failed = 0;  // gave up; only a backfill requeues them
};

class JobQueue {
 public:
  // `owner` names this process's leases (unique per process); `lease` is how long a claim lasts
  // without renewal.
  JobQueue(std::string owner, std::chrono::milliseconds lease,
           util::Clock clock = util::system_now_ms);

  // Queues a job for `record_id`, due now. A failed job is requeued with its attempts reset; a
  // job that is already queued (perhaps running) is left alone.
  void enqueue(catalog::Database& db, std::string_view record_id);

  // Claims the due job that has waited longest, or nothing; its attempts go up by one. A crash
  // counts as an attempt, so an image that kills its worker cannot loop forever.
  std::optional<Job> claim(catalog::Database& db);
  // Extends this owner's lease; false when it was lost (expired and taken by another owner).
  bool renew(catalog::Database& db, Job& job);
  // Removes the job if this owner still holds its lease; false otherwise (then the caller must
  // not commit its result: another owner is redoing the job).
  bool complete(catalog::Database& db, const Job& job);
  // Releases the lease and makes the job due again after `delay`, remembering `error`.
  bool retry_later(catalog::Database& db, const Job& job, std::chrono::milliseconds delay,
                   std::string_view error);
  // Marks the job failed for good (until a backfill requeues it).
  bool fail(catalog::Database& db, const Job& job, std::string_view error);

  std::optional<Job> find(catalog::Database& db, std::string_view record_id) const;
  JobCounts counts(catalog::Database& db) const;
  // When the next queued job becomes claimable (due and unleased), or nothing when none is.
  std::optional<std::int64_t> next_claimable_at(catalog::Database& db) const;

  const std::string& owner() const { return owner_; }
  std::int64_t now() const { return clock_(); }

 private:
  std::string owner_;
  std::chrono::milliseconds lease_;
  util::Clock clock_;
};

}  // namespace pindeck::pipeline
