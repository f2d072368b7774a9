#include "pipeline/job_queue.hpp"

#include <sqlite3.h>

#include "pindeck/error.hpp"
#include "pipeline/sqlite_statement.hpp"

namespace pindeck::pipeline {

namespace {

// A job is claimable when it is queued, due, and nobody holds a live lease on it.
constexpr const char* claimable =
    "state = 'queued' AND next_attempt_at <= ?1 AND (lease_owner IS NULL OR lease_expires_at <= "
    "?1)";

Job job_from_row(const Statement& row) {
  Job job;
  job.record_id = *row.text(0);
  job.attempts = static_cast<int>(row.int64(1));
  job.lease_owner = row.text(2).value_or("");
  job.lease_expires_at = row.is_null(3) ? 0 : row.int64(3);
  job.last_error = row.text(4);
  return job;
}

}  // namespace

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* JobQueue::schema_sql() {
  return R"sql(
CREATE TABLE IF NOT EXISTS persist_jobs (
  record_id        TEXT PRIMARY KEY,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS persist_jobs_due ON persist_jobs (state, next_attempt_at);
)sql";
}

JobQueue::JobQueue(sqlite3* db, std::string owner, std::chrono::milliseconds lease, Clock clock)
    : db_(db), owner_(std::move(owner)), lease_(lease), clock_(std::move(clock)) {
  if (owner_.empty()) throw Error(Errc::invalid, "job queue owner must not be empty");
  if (lease_.count() <= 0) throw Error(Errc::invalid, "job lease must be positive");
}

void JobQueue::enqueue(std::string_view record_id) {
  const auto now = clock_();
  Statement(db_,
            "INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, created_at) "
            "VALUES (?1, 'queued', 0, ?2, ?2) "
            "ON CONFLICT (record_id) DO UPDATE SET state = 'queued', attempts = 0, "
            "next_attempt_at = ?2, lease_owner = NULL, lease_expires_at = NULL")
      .bind(1, record_id)
      .bind(2, now)
      .run();
}

std::optional<Job> JobQueue::claim() {
  const auto now = clock_();
  ImmediateTransaction tx(db_);
  Statement claim(db_, std::string("UPDATE persist_jobs SET lease_owner = ?2, lease_expires_at = "
                                   "?3, attempts = attempts + 1 WHERE record_id = (SELECT "
                                   "record_id FROM persist_jobs WHERE ") +
                           claimable +
                           " ORDER BY next_attempt_at, created_at LIMIT 1) RETURNING record_id, "
                           "attempts, lease_owner, lease_expires_at, last_error");
  claim.bind(1, now).bind(2, owner_).bind(3, now + lease_.count());
  std::optional<Job> job;
  if (claim.step()) job = job_from_row(claim);
  while (claim.step()) {
  }
  tx.commit();
  return job;
}

bool JobQueue::renew(Job& job) {
  const auto expires = clock_() + lease_.count();
  const int changed = Statement(db_,
                                "UPDATE persist_jobs SET lease_expires_at = ?3 WHERE record_id = "
                                "?1 AND lease_owner = ?2 AND state = 'queued'")
                          .bind(1, job.record_id)
                          .bind(2, owner_)
                          .bind(3, expires)
                          .run();
  if (changed == 1) job.lease_expires_at = expires;
  return changed == 1;
}

bool JobQueue::complete(const Job& job) {
  return Statement(db_,
                   "DELETE FROM persist_jobs WHERE record_id = ?1 AND lease_owner = ?2 AND "
                   "state = 'queued'")
             .bind(1, job.record_id)
             .bind(2, owner_)
             .run() == 1;
}

bool JobQueue::retry_later(const Job& job, std::chrono::milliseconds delay,
                           std::string_view error) {
  return Statement(db_,
                   "UPDATE persist_jobs SET lease_owner = NULL, lease_expires_at = NULL, "
                   "next_attempt_at = ?3, last_error = ?4 WHERE record_id = ?1 AND "
                   "lease_owner = ?2 AND state = 'queued'")
             .bind(1, job.record_id)
             .bind(2, owner_)
             .bind(3, clock_() + delay.count())
             .bind(4, error)
             .run() == 1;
}

bool JobQueue::fail(const Job& job, std::string_view error) {
  return Statement(db_,
                   "UPDATE persist_jobs SET state = 'failed', lease_owner = NULL, "
                   "lease_expires_at = NULL, last_error = ?3 WHERE record_id = ?1 AND "
                   "lease_owner = ?2 AND state = 'queued'")
             .bind(1, job.record_id)
             .bind(2, owner_)
             .bind(3, error)
             .run() == 1;
}

std::optional<Job> JobQueue::find(std::string_view record_id) const {
  Statement row(db_,
                "SELECT record_id, attempts, lease_owner, lease_expires_at, last_error FROM "
                "persist_jobs WHERE record_id = ?1");
  row.bind(1, record_id);
  if (!row.step()) return std::nullopt;
  return job_from_row(row);
}

JobCounts JobQueue::counts() const {
  Statement row(db_,
                "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'failed'), 0) "
                "FROM persist_jobs");
  row.step();
  return JobCounts{row.int64(0), row.int64(1)};
}

std::optional<std::int64_t> JobQueue::next_claimable_at() const {
  Statement row(db_,
                "SELECT MIN(MAX(next_attempt_at, COALESCE(lease_expires_at, 0))) FROM "
                "persist_jobs WHERE state = 'queued'");
  row.step();
  if (row.is_null(0)) return std::nullopt;
  return row.int64(0);
}

}  // namespace pindeck::pipeline
