// The durable queue of persist jobs, in the catalog's SQLite database (DESIGN §6). One row per
// record that still has to reach the object store. A worker claims a row with a lease (owner and
// expiry) in one IMMEDIATE transaction, so two processes on the same database never hold the
// same job; a lease that expires (its holder crashed) makes the job claimable again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace pindeck::pipeline {

// Milliseconds since the epoch; injectable so tests can move time.
using Clock = std::function<std::int64_t()>;
std::int64_t system_now_ms();

struct Job {
  std::string record_id;
  int attempts = 0;  // including the one this claim starts
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
  // The table and index the queue needs; the catalog's migrations run this.
  static const char* schema_sql();

  // `db` stays owned by the caller and must outlive the queue. `owner` names this process's
  // leases (unique per process), `lease` is how long a claim lasts without renewal.
  JobQueue(sqlite3* db, std::string owner, std::chrono::milliseconds lease,
           Clock clock = system_now_ms);

  // Queues a job for `record_id`, due now, with its attempts reset; a job already there
  // (queued or failed) is reset the same way. Runs in the caller's transaction if one is open,
  // so a record and its job are written together.
  void enqueue(std::string_view record_id);

  // Claims the due job that has waited longest, or nothing. Its attempts count goes up by one.
  std::optional<Job> claim();
  // Extends this owner's lease on the job; false when the lease was lost (expired and taken).
  bool renew(Job& job);
  // Removes the job if this owner still holds its lease; false otherwise (someone else took it
  // over, so the caller must not commit its result). Runs in the caller's transaction.
  bool complete(const Job& job);
  // Releases the lease and makes the job due again after `delay`, remembering `error`.
  bool retry_later(const Job& job, std::chrono::milliseconds delay, std::string_view error);
  // Marks the job failed for good (until a backfill requeues it). Runs in the caller's
  // transaction.
  bool fail(const Job& job, std::string_view error);

  // The job of a record, if it has one.
  std::optional<Job> find(std::string_view record_id) const;
  JobCounts counts() const;
  // When the next queued job becomes claimable (due and unleased), or nothing when none is queued.
  std::optional<std::int64_t> next_claimable_at() const;

  const std::string& owner() const { return owner_; }
  std::int64_t now() const { return clock_(); }

 private:
  sqlite3* db_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  Clock clock_;
};

}  // namespace pindeck::pipeline
