// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/job_queue.hpp"

#include <utility>

#include "catalog/failure_kinds.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/postgres/settled_watch.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// The columns every statement returning a job lists, in this order.
constexpr std::string_view job_columns =
    "record_id, attempts, lease_owner, lease_expires_at, last_error, failure";

Job job_from_row(const Rows& rows, int row) {
  Job job;
  job.record_id = rows.text(row, 0);
  job.attempts = static_cast<int>(rows.integer(row, 1));
  job.lease_owner = rows.optional_text(row, 2).value_or("");
  job.lease_expires_at = rows.is_null(row, 3) ? 0 : rows.integer(row, 3);
  job.last_error = rows.optional_text(row, 4);
  if (!rows.is_null(row, 5)) job.failure = failure_kind_from_text(rows.text(row, 5));
  return job;
}

}  // namespace

void JobQueue::enqueue(Connection& db, std::string_view record_id) {
  // A failed job requeued keeps its site: its bytes are still where they were staged.
  db.exec(
      "INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, created_at, "
      "staged_at) VALUES ($1, 'queued', 0, $2::bigint, $2::bigint, $3) "
      "ON CONFLICT (record_id) DO UPDATE SET state = 'queued', attempts = 0, "
      "next_attempt_at = EXCLUDED.next_attempt_at, lease_owner = NULL, lease_expires_at = NULL, "
      "failure = NULL WHERE persist_jobs.state = 'failed'",
      {record_id, clock_(), site_});
}

void JobQueue::requeue_for_backfill(Connection& db, std::string_view record_id) {
  enqueue(db, record_id);
  db.exec("UPDATE persist_jobs SET backfilled_at = $2::bigint WHERE record_id = $1",
          {record_id, clock_()});
}

std::optional<Job> JobQueue::claim(Connection& db) {
  const auto now = clock_();
  // The record id breaks ties as SQLite's insertion order does: ids made by one process count up.
  auto rows = db.exec(
      std::string("UPDATE persist_jobs SET lease_owner = $2, lease_expires_at = $3::bigint, "
                  "attempts = attempts + 1 WHERE record_id = (SELECT record_id FROM persist_jobs "
                  "WHERE state = 'queued' AND next_attempt_at <= $1::bigint "
                  "AND (lease_owner IS NULL OR lease_expires_at <= $1::bigint) "
                  "AND (staged_at IS NULL OR staged_at = $4) "
                  "ORDER BY next_attempt_at, created_at, record_id COLLATE \"C\" LIMIT 1 "
                  "FOR UPDATE SKIP LOCKED) RETURNING ")
          .append(job_columns),
      {now, owner_, now + lease_.count(), site_});
  if (rows.empty()) return std::nullopt;
  return job_from_row(rows, 0);
}

bool JobQueue::renew(Connection& db, Job& job) {
  const auto expires = clock_() + lease_.count();
  auto rows = db.exec(
      "UPDATE persist_jobs SET lease_expires_at = $3::bigint WHERE record_id = $1 "
      "AND lease_owner = $2 AND state = 'queued'",
      {job.record_id, owner_, expires});
  if (rows.affected() == 0) return false;
  job.lease_expires_at = expires;
  return true;
}

bool JobQueue::holds(Connection& db, const Job& job) const {
  // FOR UPDATE: the lease stays this owner's until the caller's transaction ends, so the record
  // change that follows commits only with a job change that still finds the lease.
  return !db.exec(
                "SELECT 1 FROM persist_jobs WHERE record_id = $1 AND lease_owner = $2 "
                "AND state = 'queued' FOR UPDATE",
                {job.record_id, owner_})
              .empty();
}

bool JobQueue::complete(Connection& db, const Job& job) {
  const bool held = db.exec(
                          "DELETE FROM persist_jobs WHERE record_id = $1 AND lease_owner = $2 "
                          "AND state = 'queued'",
                          {job.record_id, owner_})
                        .affected() > 0;
  if (held) announce_settled(db, job.record_id);
  return held;
}

bool JobQueue::retry_later(Connection& db, const Job& job, std::chrono::milliseconds delay,
                           std::string_view error) {
  return db.exec(
               "UPDATE persist_jobs SET lease_owner = NULL, lease_expires_at = NULL, "
               "next_attempt_at = $3::bigint, last_error = $4 WHERE record_id = $1 "
               "AND lease_owner = $2 AND state = 'queued'",
               {job.record_id, owner_, clock_() + delay.count(), text_column_value(error)})
             .affected() > 0;
}

bool JobQueue::fail(Connection& db, const Job& job, std::string_view error, FailureKind kind) {
  const bool held =
      db.exec(
            "UPDATE persist_jobs SET state = 'failed', lease_owner = NULL, "
            "lease_expires_at = NULL, last_error = $3, failure = $4 WHERE record_id = $1 "
            "AND lease_owner = $2 AND state = 'queued'",
            {job.record_id, owner_, text_column_value(error), failure_kind_text(kind)})
          .affected() > 0;
  if (held) announce_settled(db, job.record_id);
  return held;
}

std::vector<std::string> JobQueue::awaiting_backfill(Connection& db, int limit,
                                                     bool include_permanent) const {
  // A record without a job row (never queued here, or imported) counts as never backfilled; a
  // queued job has no failure, hence IS DISTINCT FROM.
  auto rows = db.exec(
      "SELECT r.id FROM records r LEFT JOIN persist_jobs j ON j.record_id = r.id "
      "WHERE (r.doc::jsonb ->> 'storageProvider') = 'convex' "
      "AND (r.doc::jsonb ->> 'storageId') IS NOT NULL "
      "AND (j.state IS NULL OR j.state = 'failed') "
      "AND ($2::boolean OR j.failure IS DISTINCT FROM 'permanent') "
      "ORDER BY j.failure IS NOT DISTINCT FROM 'permanent', coalesce(j.backfilled_at, 0), "
      "r.uploaded_at, r.id COLLATE \"C\" LIMIT $1::bigint",
      {limit, include_permanent});
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.text(i, 0));
  return ids;
}

std::set<std::string> JobQueue::staged_ids(Connection& db) const {
  auto rows = db.exec(
      "SELECT DISTINCT doc::jsonb ->> 'storageId' FROM records "
      "WHERE (doc::jsonb ->> 'storageId') IS NOT NULL");
  std::set<std::string> ids;
  for (int i = 0; i < rows.size(); ++i) ids.insert(rows.text(i, 0));
  return ids;
}

std::optional<Job> JobQueue::find(Connection& db, std::string_view record_id) const {
  auto rows = db.exec(
      std::string("SELECT ").append(job_columns).append(" FROM persist_jobs WHERE record_id = $1"),
      {record_id});
  if (rows.empty()) return std::nullopt;
  return job_from_row(rows, 0);
}

JobCounts JobQueue::counts(Connection& db) const {
  auto rows = db.exec(
      "SELECT coalesce(staged_at, ''), count(*) FILTER (WHERE state = 'queued'), "
      "count(*) FILTER (WHERE state = 'failed'), "
      "count(*) FILTER (WHERE state = 'queued' AND lease_owner IS NOT NULL "
      "AND lease_expires_at > $1::bigint), "
      "count(*) FILTER (WHERE state = 'queued' AND (lease_owner IS NULL "
      "OR lease_expires_at <= $1::bigint) AND next_attempt_at > $1::bigint) "
      "FROM persist_jobs GROUP BY 1",
      {clock_()});
  JobCounts counts;
  for (int row = 0; row < rows.size(); ++row) {
    counts.add_site(rows.text(row, 0), rows.integer(row, 1), rows.integer(row, 2),
                    rows.integer(row, 3), rows.integer(row, 4));
  }
  return counts;
}

std::optional<std::int64_t> JobQueue::next_claimable_at(Connection& db) const {
  auto rows = db.exec(
      "SELECT min(greatest(next_attempt_at, coalesce(lease_expires_at, 0))) FROM persist_jobs "
      "WHERE state = 'queued' AND (staged_at IS NULL OR staged_at = $1)",
      {site_});
  if (rows.is_null(0, 0)) return std::nullopt;
  return rows.integer(0, 0);
}

}  // namespace pindeck::catalog::postgres
