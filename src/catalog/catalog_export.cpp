// SPDX-License-Identifier: Apache-2.0
#include "catalog/catalog_export.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "catalog/failure_kinds.hpp"
#include "catalog/record_text.hpp"
#include "catalog/records_table.hpp"
#include "catalog/sqlite.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

std::optional<std::string> optional_text(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.text(column);
}

std::optional<std::int64_t> optional_integer(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.integer(column);
}

Statement& bind(Statement& stmt, int index, const std::optional<std::int64_t>& value) {
  return value ? stmt.bind(index, *value) : stmt.bind_null(index);
}

// The job columns of entries_page's query, from column `first` on; none when the record has no
// job (the LEFT JOIN found no row).
std::optional<JobSnapshot> job_from(const Statement& row, int first) {
  if (row.is_null(first)) return std::nullopt;
  JobSnapshot job;
  job.failed = row.text(first) == "failed";
  job.attempts = static_cast<int>(row.integer(first + 1));
  job.next_attempt_at = row.integer(first + 2);
  job.last_error = optional_text(row, first + 3);
  if (auto failure = optional_text(row, first + 4)) job.failure = failure_kind_from_text(*failure);
  job.created_at = row.integer(first + 5);
  job.backfilled_at = optional_integer(row, first + 6);
  job.staged_at = optional_text(row, first + 7);
  return job;
}

}  // namespace

void store_job(Database& db, std::string_view record_id, const JobSnapshot& job) {
  auto stmt = db.prepare(
      "INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, last_error, failure, "
      "created_at, backfilled_at, staged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  stmt.bind(1, record_id)
      .bind(2, std::string_view(job.failed ? "failed" : "queued"))
      .bind(3, std::int64_t{job.attempts})
      .bind(4, job.next_attempt_at)
      .bind(5, job.last_error);
  if (job.failure) {
    stmt.bind(6, failure_kind_text(*job.failure));
  } else {
    stmt.bind_null(6);
  }
  stmt.bind(7, job.created_at);
  bind(stmt, 8, job.backfilled_at).bind(9, job.staged_at).run();
}

std::vector<CatalogEntry> entries_page(Database& db, std::string_view after_id, int limit) {
  auto stmt = db.prepare(
      "SELECT r.doc, j.state, j.attempts, j.next_attempt_at, j.last_error, j.failure, "
      "j.created_at, j.backfilled_at, j.staged_at "
      "FROM records r LEFT JOIN persist_jobs j ON j.record_id = r.id "
      "WHERE r.pk > coalesce((SELECT pk FROM records WHERE id = ?1), 0) ORDER BY r.pk LIMIT ?2");
  stmt.bind(1, after_id).bind(2, std::int64_t{limit});
  std::vector<CatalogEntry> page;
  while (stmt.step()) page.push_back({record_from_doc(stmt.text(0)), job_from(stmt, 1)});
  return page;
}

void rename_record(Database& db, std::string_view assigned_id, const Record& record) {
  db.prepare("UPDATE records SET id = ?1, doc = ?2 WHERE id = ?3")
      .bind(1, record.id)
      .bind(2, record_doc(record))
      .bind(3, assigned_id)
      .run();
}

std::vector<DeleteJobSnapshot> delete_jobs_page(Database& db, std::int64_t after_position,
                                                int limit) {
  auto stmt = db.prepare(
      "SELECT id, record_id, provider, bucket, object_keys, staged_id, next_attempt_at, attempts, "
      "last_error, created_at FROM delete_jobs WHERE id > ?1 ORDER BY id LIMIT ?2");
  stmt.bind(1, after_position).bind(2, std::int64_t{limit});
  std::vector<DeleteJobSnapshot> page;
  while (stmt.step()) {
    page.push_back(
        {.position = stmt.integer(0),
         .record_id = stmt.text(1),
         .provider = optional_text(stmt, 2),
         .bucket = optional_text(stmt, 3),
         .object_keys = nlohmann::json::parse(stmt.text(4)).get<std::vector<std::string>>(),
         .staged_id = optional_text(stmt, 5),
         .next_attempt_at = stmt.integer(6),
         .attempts = static_cast<int>(stmt.integer(7)),
         .last_error = optional_text(stmt, 8),
         .created_at = stmt.integer(9)});
  }
  return page;
}

bool store_delete_job(Database& db, const DeleteJobSnapshot& job) {
  auto queued = db.prepare("SELECT 1 FROM delete_jobs WHERE record_id = ?1 AND created_at = ?2");
  queued.bind(1, job.record_id).bind(2, job.created_at);
  if (queued.step()) return false;
  db.prepare(
        "INSERT INTO delete_jobs (record_id, provider, bucket, object_keys, staged_id, "
        "next_attempt_at, attempts, last_error, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
      .bind(1, job.record_id)
      .bind(2, job.provider)
      .bind(3, job.bucket)
      .bind(4, nlohmann::json(job.object_keys).dump())
      .bind(5, job.staged_id)
      .bind(6, job.next_attempt_at)
      .bind(7, std::int64_t{job.attempts})
      .bind(8, job.last_error)
      .bind(9, job.created_at)
      .run();
  return true;
}

}  // namespace pindeck::catalog
