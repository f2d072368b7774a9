// SPDX-License-Identifier: Apache-2.0
#include "catalog/job_queue.hpp"

#include "catalog/failure_kinds.hpp"
#include "catalog/sqlite.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

constexpr std::string_view job_columns =
    "record_id, attempts, lease_owner, lease_expires_at, last_error, failure";

Job job_from_row(const Statement& row) {
  Job job;
  job.record_id = row.text(0);
  job.attempts = static_cast<int>(row.integer(1));
  job.lease_owner = row.is_null(2) ? "" : row.text(2);
  job.lease_expires_at = row.is_null(3) ? 0 : row.integer(3);
  if (!row.is_null(4)) job.last_error = row.text(4);
  if (!row.is_null(5)) job.failure = failure_kind_from_text(row.text(5));
  return job;
}

}  // namespace

void JobQueue::enqueue(Database& db, std::string_view record_id) {
  // A failed job requeued keeps its site: its bytes are still where they were staged.
  db.prepare(
        "INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, created_at, "
        "staged_at) VALUES (?1, 'queued', 0, ?2, ?2, ?3) "
        "ON CONFLICT (record_id) DO UPDATE SET state = 'queued', attempts = 0, "
        "next_attempt_at = ?2, lease_owner = NULL, lease_expires_at = NULL, failure = NULL "
        "WHERE state = 'failed'")
      .bind(1, record_id)
      .bind(2, clock_())
      .bind(3, site_)
      .run();
}

void JobQueue::requeue_for_backfill(Database& db, std::string_view record_id) {
  enqueue(db, record_id);
  db.prepare("UPDATE persist_jobs SET backfilled_at = ?2 WHERE record_id = ?1")
      .bind(1, record_id)
      .bind(2, clock_())
      .run();
}

std::optional<Job> JobQueue::claim(Database& db) {
  const auto now = clock_();
  auto claim = db.prepare(
      "UPDATE persist_jobs SET lease_owner = ?2, lease_expires_at = ?3, attempts = attempts + 1 "
      "WHERE record_id = (SELECT record_id FROM persist_jobs WHERE state = 'queued' AND "
      "next_attempt_at <= ?1 AND (lease_owner IS NULL OR lease_expires_at <= ?1) "
      "AND (staged_at IS NULL OR staged_at = ?4) "
      "ORDER BY next_attempt_at, created_at LIMIT 1) "
      "RETURNING record_id, attempts, lease_owner, lease_expires_at, last_error, failure");
  claim.bind(1, now).bind(2, owner_).bind(3, now + lease_.count()).bind(4, site_);
  if (!claim.step()) return std::nullopt;
  return job_from_row(claim);
}

bool JobQueue::renew(Database& db, Job& job) {
  const auto expires = clock_() + lease_.count();
  auto renew = db.prepare(
      "UPDATE persist_jobs SET lease_expires_at = ?3 WHERE record_id = ?1 AND lease_owner = ?2 "
      "AND state = 'queued' RETURNING record_id");
  renew.bind(1, job.record_id).bind(2, owner_).bind(3, expires);
  if (!renew.step()) return false;
  job.lease_expires_at = expires;
  return true;
}

bool JobQueue::holds(Database& db, const Job& job) const {
  auto row = db.prepare(
      "SELECT 1 FROM persist_jobs WHERE record_id = ?1 AND lease_owner = ?2 AND state = 'queued'");
  row.bind(1, job.record_id).bind(2, owner_);
  return row.step();
}

bool JobQueue::complete(Database& db, const Job& job) {
  auto remove = db.prepare(
      "DELETE FROM persist_jobs WHERE record_id = ?1 AND lease_owner = ?2 AND state = 'queued' "
      "RETURNING record_id");
  remove.bind(1, job.record_id).bind(2, owner_);
  return remove.step();
}

bool JobQueue::retry_later(Database& db, const Job& job, std::chrono::milliseconds delay,
                           std::string_view error) {
  auto update = db.prepare(
      "UPDATE persist_jobs SET lease_owner = NULL, lease_expires_at = NULL, "
      "next_attempt_at = ?3, last_error = ?4 WHERE record_id = ?1 AND lease_owner = ?2 AND "
      "state = 'queued' RETURNING record_id");
  update.bind(1, job.record_id).bind(2, owner_).bind(3, clock_() + delay.count()).bind(4, error);
  return update.step();
}

bool JobQueue::fail(Database& db, const Job& job, std::string_view error, FailureKind kind) {
  auto update = db.prepare(
      "UPDATE persist_jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, "
      "last_error = ?3, failure = ?4 WHERE record_id = ?1 AND lease_owner = ?2 AND "
      "state = 'queued' RETURNING record_id");
  update.bind(1, job.record_id).bind(2, owner_).bind(3, error).bind(4, failure_kind_text(kind));
  return update.step();
}

std::optional<Job> JobQueue::find(Database& db, std::string_view record_id) const {
  auto row =
      db.prepare("SELECT " + std::string(job_columns) + " FROM persist_jobs WHERE record_id = ?1");
  row.bind(1, record_id);
  if (!row.step()) return std::nullopt;
  return job_from_row(row);
}

JobCounts JobQueue::counts(Database& db) const {
  auto rows = db.prepare(
      "SELECT COALESCE(staged_at, ''), SUM(state = 'queued'), SUM(state = 'failed'), "
      "SUM(state = 'queued' AND lease_owner IS NOT NULL AND lease_expires_at > ?1), "
      "SUM(state = 'queued' AND (lease_owner IS NULL OR lease_expires_at <= ?1) "
      "AND next_attempt_at > ?1) FROM persist_jobs GROUP BY 1");
  rows.bind(1, clock_());
  JobCounts counts;
  while (rows.step()) {
    counts.add_site(rows.text(0), rows.integer(1), rows.integer(2), rows.integer(3),
                    rows.integer(4));
  }
  return counts;
}

std::optional<std::int64_t> JobQueue::next_claimable_at(Database& db) const {
  auto row = db.prepare(
      "SELECT MIN(MAX(next_attempt_at, COALESCE(lease_expires_at, 0))) FROM persist_jobs "
      "WHERE state = 'queued' AND (staged_at IS NULL OR staged_at = ?1)");
  row.bind(1, site_);
  row.step();
  if (row.is_null(0)) return std::nullopt;
  return row.integer(0);
}

std::vector<std::string> JobQueue::awaiting_backfill(Database& db, int limit,
                                                     bool include_permanent) const {
  // A record without a job row (never queued here, or imported) counts as never backfilled. `IS`
  // compares NULL as a value: a queued job has no failure.
  auto select = db.prepare(
      "SELECT r.id FROM records r LEFT JOIN persist_jobs j ON j.record_id = r.id "
      "WHERE json_extract(r.doc, '$.storageProvider') = 'convex' "
      "AND json_extract(r.doc, '$.storageId') IS NOT NULL "
      "AND (j.state IS NULL OR j.state = 'failed') "
      "AND (?2 OR j.failure IS NOT 'permanent') "
      "ORDER BY j.failure IS 'permanent', COALESCE(j.backfilled_at, 0), r.uploaded_at, r.id "
      "LIMIT ?1");
  select.bind(1, static_cast<std::int64_t>(limit));
  select.bind(2, static_cast<std::int64_t>(include_permanent ? 1 : 0));
  std::vector<std::string> ids;
  while (select.step()) ids.push_back(select.text(0));
  return ids;
}

std::set<std::string> JobQueue::staged_ids(Database& db) const {
  std::set<std::string> ids;
  auto select = db.prepare(
      "SELECT json_extract(doc, '$.storageId') FROM records "
      "WHERE json_extract(doc, '$.storageId') IS NOT NULL");
  while (select.step()) ids.insert(select.text(0));
  return ids;
}

}  // namespace pindeck::catalog
