// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/catalog_export.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "catalog/failure_kinds.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/postgres/records_table.hpp"
#include "catalog/record_text.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

std::optional<std::int64_t> optional_integer(const Rows& rows, int row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return rows.integer(row, column);
}

Param optional_param(const std::optional<std::int64_t>& value) {
  return value ? Param(*value) : Param(nullptr);
}

// The job columns of entries_page's query, from column `first` on; none when the record has no
// job (the LEFT JOIN found no row).
std::optional<JobSnapshot> job_from(const Rows& rows, int row, int first) {
  if (rows.is_null(row, first)) return std::nullopt;
  JobSnapshot job;
  job.failed = rows.text(row, first) == "failed";
  job.attempts = static_cast<int>(rows.integer(row, first + 1));
  job.next_attempt_at = rows.integer(row, first + 2);
  job.last_error = rows.optional_text(row, first + 3);
  if (auto failure = rows.optional_text(row, first + 4)) {
    job.failure = failure_kind_from_text(*failure);
  }
  job.created_at = rows.integer(row, first + 5);
  job.backfilled_at = optional_integer(rows, row, first + 6);
  job.staged_at = rows.optional_text(row, first + 7);
  return job;
}

}  // namespace

void store_job(Connection& db, std::string_view record_id, const JobSnapshot& job) {
  const std::optional<std::string> failure =
      job.failure ? std::optional<std::string>(failure_kind_text(*job.failure)) : std::nullopt;
  db.exec(
      "INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, last_error, "
      "failure, created_at, backfilled_at, staged_at) "
      "VALUES ($1, $2, $3::integer, $4::bigint, $5, $6, $7::bigint, $8::bigint, $9)",
      {record_id, job.failed ? "failed" : "queued", job.attempts, job.next_attempt_at,
       job.last_error, failure, job.created_at, optional_param(job.backfilled_at), job.staged_at});
}

std::vector<CatalogEntry> entries_page(Connection& db, std::string_view after_id, int limit) {
  auto rows = db.exec(
      "SELECT r.doc, j.state, j.attempts, j.next_attempt_at, j.last_error, j.failure, "
      "j.created_at, j.backfilled_at, j.staged_at "
      "FROM records r LEFT JOIN persist_jobs j ON j.record_id = r.id "
      "WHERE r.pk > coalesce((SELECT pk FROM records WHERE id = $1), 0) "
      "ORDER BY r.pk LIMIT $2::integer",
      {after_id, limit});
  std::vector<CatalogEntry> page;
  page.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    page.push_back({record_from_doc(rows.text(i, 0)), job_from(rows, i, 1)});
  }
  return page;
}

void rename_record(Connection& db, std::string_view assigned_id, const Record& record) {
  db.exec("UPDATE records SET id = $1, doc = $2 WHERE id = $3",
          {record.id, record_doc(record), assigned_id});
}

std::vector<DeleteJobSnapshot> delete_jobs_page(Connection& db, std::int64_t after_position,
                                                int limit) {
  auto rows = db.exec(
      "SELECT id, record_id, provider, bucket, object_keys::text, staged_id, next_attempt_at, "
      "attempts, last_error, created_at FROM delete_jobs WHERE id > $1::bigint ORDER BY id "
      "LIMIT $2::integer",
      {after_position, limit});
  std::vector<DeleteJobSnapshot> page;
  page.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    page.push_back(
        {.position = rows.integer(i, 0),
         .record_id = rows.text(i, 1),
         .provider = rows.optional_text(i, 2),
         .bucket = rows.optional_text(i, 3),
         .object_keys = nlohmann::json::parse(rows.text(i, 4)).get<std::vector<std::string>>(),
         .staged_id = rows.optional_text(i, 5),
         .next_attempt_at = rows.integer(i, 6),
         .attempts = static_cast<int>(rows.integer(i, 7)),
         .last_error = rows.optional_text(i, 8),
         .created_at = rows.integer(i, 9)});
  }
  return page;
}

bool store_delete_job(Connection& db, const DeleteJobSnapshot& job) {
  if (!db.exec("SELECT 1 FROM delete_jobs WHERE record_id = $1 AND created_at = $2::bigint",
               {job.record_id, job.created_at})
           .empty()) {
    return false;
  }
  db.exec(
      "INSERT INTO delete_jobs (record_id, provider, bucket, object_keys, staged_id, "
      "next_attempt_at, attempts, last_error, created_at) "
      "VALUES ($1, $2, $3, $4::jsonb, $5, $6::bigint, $7::integer, $8, $9::bigint)",
      {job.record_id, job.provider, job.bucket, nlohmann::json(job.object_keys).dump(),
       job.staged_id, job.next_attempt_at, job.attempts, job.last_error, job.created_at});
  return true;
}

}  // namespace pindeck::catalog::postgres
