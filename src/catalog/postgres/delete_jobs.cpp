// SPDX-License-Identifier: Apache-2.0
// DeleteJobs on the PostgreSQL catalog: the twin of ../sqlite_delete_jobs.cpp. Processes on many
// hosts claim at once: a claim takes the due jobs no other transaction has locked (FOR UPDATE SKIP
// LOCKED), so claimers never wait on each other and never take the same job.
#include <nlohmann/json.hpp>
#include <utility>

#include "catalog/postgres/postgres_catalog.hpp"
#include "catalog/postgres/record_removal.hpp"
#include "catalog/postgres/records_table.hpp"
#include "catalog/record_cleanup.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

class PostgresDeleteJobs final : public DeleteJobs {
 public:
  PostgresDeleteJobs(PostgresCatalogBase& catalog, std::string owner,
                     std::chrono::milliseconds lease, util::Clock clock)
      : catalog_(catalog), owner_(std::move(owner)), lease_(lease), clock_(std::move(clock)) {
    if (owner_.empty()) throw Error(Errc::invalid, "delete queue owner must not be empty");
    if (lease_.count() <= 0) throw Error(Errc::invalid, "delete job lease must be positive");
  }

  std::vector<DeleteJob> claim(StorageProvider provider, std::string_view bucket,
                               std::size_t max) override {
    return catalog_.write([&](Connection& db) {
      const auto now = clock_();
      // RETURNING lists rows in no particular order: the outer SELECT puts the oldest first.
      auto rows = db.exec(
          "WITH claimed AS (UPDATE delete_jobs SET lease_owner = $2, "
          "lease_expires_at = $3::bigint, attempts = attempts + 1 WHERE id IN ("
          "SELECT id FROM delete_jobs WHERE next_attempt_at <= $1::bigint "
          "AND (lease_owner IS NULL OR lease_expires_at <= $1::bigint) "
          "AND (provider IS NULL OR (provider = $4 AND bucket = $5)) "
          "ORDER BY next_attempt_at, id LIMIT $6::bigint FOR UPDATE SKIP LOCKED) "
          "RETURNING id, record_id, object_keys, staged_id, attempts, last_error, "
          "next_attempt_at) "
          "SELECT id, record_id, object_keys, staged_id, attempts, last_error FROM claimed "
          "ORDER BY next_attempt_at, id",
          {now, owner_, now + lease_.count(), model::to_string(provider), bucket,
           static_cast<std::int64_t>(max)});
      std::vector<DeleteJob> jobs;
      jobs.reserve(static_cast<std::size_t>(rows.size()));
      for (int i = 0; i < rows.size(); ++i) {
        DeleteJob job;
        job.id = rows.integer(i, 0);
        job.record_id = rows.text(i, 1);
        job.object_keys = nlohmann::json::parse(rows.text(i, 2)).get<std::vector<std::string>>();
        job.staged_id = rows.optional_text(i, 3);
        job.attempts = static_cast<int>(rows.integer(i, 4));
        job.last_error = rows.optional_text(i, 5);
        jobs.push_back(std::move(job));
      }
      drop_what_records_name(db, jobs);
      return jobs;
    });
  }

  bool complete(const DeleteJob& job) override {
    return catalog_.write([&](Connection& db) {
      return db.exec("DELETE FROM delete_jobs WHERE id = $1::bigint AND lease_owner = $2",
                     {job.id, owner_})
                 .affected() > 0;
    });
  }

  bool retry_later(const DeleteJob& job, std::chrono::milliseconds delay,
                   std::string_view error) override {
    return catalog_.write([&](Connection& db) {
      return db.exec(
                   "UPDATE delete_jobs SET lease_owner = NULL, lease_expires_at = NULL, "
                   "next_attempt_at = $3::bigint, last_error = $4 "
                   "WHERE id = $1::bigint AND lease_owner = $2",
                   {job.id, owner_, clock_() + delay.count(), text_column_value(error)})
                 .affected() > 0;
    });
  }

  std::size_t retry_failed_now(StorageProvider provider, std::string_view bucket) override {
    return catalog_.write([&](Connection& db) {
      return static_cast<std::size_t>(
          db.exec(
                "UPDATE delete_jobs SET next_attempt_at = $1::bigint "
                "WHERE last_error IS NOT NULL AND next_attempt_at > $1::bigint "
                "AND lease_owner IS NULL AND (provider IS NULL OR (provider = $2 AND bucket = $3))",
                {clock_(), model::to_string(provider), bucket})
              .affected());
    });
  }

  bool stop_waiting_for_persist(std::string_view record_id) override {
    return catalog_.write([&](Connection& db) { return make_due(db, record_id, clock_()); });
  }

  bool requeue_if_deleted(const Record& record, StorageProvider provider,
                          std::string_view bucket) override {
    return catalog_.write([&](Connection& db) {
      return requeue_removal_if_deleted(
          record, provider, bucket, clock_,
          {[&] { return find_record(db, record.id).has_value(); },
           [&](std::int64_t now) { return make_due(db, record.id, now); },
           [&](const std::vector<std::string>& keys) { return object_keys_in_use(db, keys); },
           [&](const Record& where, const std::vector<std::string>& keys, std::int64_t now) {
             queue_delete_job(db, where, keys, std::nullopt, now, now);
           }});
    });
  }

  std::vector<std::string> queued_object_keys() override {
    return catalog_.read([&](Connection& db) {
      auto rows =
          db.exec("SELECT DISTINCT jsonb_array_elements_text(object_keys) FROM delete_jobs");
      std::vector<std::string> keys;
      keys.reserve(static_cast<std::size_t>(rows.size()));
      for (int i = 0; i < rows.size(); ++i) keys.push_back(rows.text(i, 0));
      return keys;
    });
  }

  std::int64_t count(const std::vector<std::string>& record_ids) override {
    return catalog_.read([&](Connection& db) {
      if (record_ids.empty()) return db.exec("SELECT count(*) FROM delete_jobs").integer(0, 0);
      return db
          .exec(
              "SELECT count(*) FROM delete_jobs WHERE record_id IN "
              "(SELECT jsonb_array_elements_text($1::jsonb))",
              {nlohmann::json(record_ids).dump()})
          .integer(0, 0);
    });
  }

  std::optional<std::int64_t> next_claimable_at(StorageProvider provider,
                                                std::string_view bucket) override {
    return catalog_.read([&](Connection& db) -> std::optional<std::int64_t> {
      auto rows = db.exec(
          "SELECT min(greatest(next_attempt_at, coalesce(lease_expires_at, 0))) FROM delete_jobs "
          "WHERE provider IS NULL OR (provider = $1 AND bucket = $2)",
          {model::to_string(provider), bucket});
      if (rows.is_null(0, 0)) return std::nullopt;
      return rows.integer(0, 0);
    });
  }

  std::int64_t now() const override { return clock_(); }

 private:
  // Makes the record's unleased delete jobs due at `now`; whether there was one.
  static bool make_due(Connection& db, std::string_view record_id, std::int64_t now) {
    return db.exec(
                 "UPDATE delete_jobs SET next_attempt_at = $2::bigint WHERE record_id = $1 "
                 "AND (lease_owner IS NULL OR lease_expires_at <= $2::bigint)",
                 {record_id, now})
               .affected() > 0;
  }

  // A record created since the deletion may name a key or a staged copy again: it stays.
  static void drop_what_records_name(Connection& db, std::vector<DeleteJob>& jobs) {
    catalog::drop_what_records_name(
        jobs, [&](const std::vector<std::string>& keys) { return object_keys_in_use(db, keys); },
        [&](const std::vector<std::string>& staged) { return staged_ids_in_use(db, staged); });
  }

  PostgresCatalogBase& catalog_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  util::Clock clock_;
};

}  // namespace

std::unique_ptr<DeleteJobs> make_delete_jobs(PostgresCatalogBase& catalog, std::string owner,
                                             std::chrono::milliseconds lease, util::Clock clock) {
  return std::make_unique<PostgresDeleteJobs>(catalog, std::move(owner), lease, std::move(clock));
}

}  // namespace pindeck::catalog::postgres
