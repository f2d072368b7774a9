// SPDX-License-Identifier: Apache-2.0
// DeleteJobs on the SQLite catalog (table in delete_queue_schema.hpp). Claims, like persist jobs,
// run in the catalog's IMMEDIATE write transaction, so two processes never hold the same job.
#include <nlohmann/json.hpp>
#include <utility>

#include "catalog/record_cleanup.hpp"
#include "catalog/record_removal.hpp"
#include "catalog/records_table.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

class SqliteDeleteJobs final : public DeleteJobs {
 public:
  SqliteDeleteJobs(SqliteCatalogBase& catalog, std::string owner, std::chrono::milliseconds lease,
                   util::Clock clock)
      : catalog_(catalog), owner_(std::move(owner)), lease_(lease), clock_(std::move(clock)) {
    if (owner_.empty()) throw Error(Errc::invalid, "delete queue owner must not be empty");
    if (lease_.count() <= 0) throw Error(Errc::invalid, "delete job lease must be positive");
  }

  std::vector<DeleteJob> claim(StorageProvider provider, std::string_view bucket,
                               std::size_t max) override {
    return catalog_.write([&](Database& db) {
      const auto now = clock_();
      std::vector<DeleteJob> jobs;
      auto claim = db.prepare(
          "UPDATE delete_jobs SET lease_owner = ?2, lease_expires_at = ?3, "
          "attempts = attempts + 1 WHERE id IN (SELECT id FROM delete_jobs "
          "WHERE next_attempt_at <= ?1 AND (lease_owner IS NULL OR lease_expires_at <= ?1) "
          "AND (provider IS NULL OR (provider = ?4 AND bucket = ?5)) "
          "ORDER BY next_attempt_at, id LIMIT ?6) "
          "RETURNING id, record_id, object_keys, staged_id, attempts, last_error");
      claim.bind(1, now)
          .bind(2, owner_)
          .bind(3, now + lease_.count())
          .bind(4, model::to_string(provider))
          .bind(5, bucket)
          .bind(6, static_cast<std::int64_t>(max));
      while (claim.step()) {
        DeleteJob job;
        job.id = claim.integer(0);
        job.record_id = claim.text(1);
        job.object_keys = nlohmann::json::parse(claim.text(2)).get<std::vector<std::string>>();
        if (!claim.is_null(3)) job.staged_id = claim.text(3);
        job.attempts = static_cast<int>(claim.integer(4));
        if (!claim.is_null(5)) job.last_error = claim.text(5);
        jobs.push_back(std::move(job));
      }
      drop_what_records_name(db, jobs);
      return jobs;
    });
  }

  bool complete(const DeleteJob& job) override {
    return catalog_.write([&](Database& db) {
      auto remove =
          db.prepare("DELETE FROM delete_jobs WHERE id = ?1 AND lease_owner = ?2 RETURNING id");
      remove.bind(1, job.id).bind(2, owner_);
      return remove.step();
    });
  }

  bool retry_later(const DeleteJob& job, std::chrono::milliseconds delay,
                   std::string_view error) override {
    return catalog_.write([&](Database& db) {
      auto update = db.prepare(
          "UPDATE delete_jobs SET lease_owner = NULL, lease_expires_at = NULL, "
          "next_attempt_at = ?3, last_error = ?4 WHERE id = ?1 AND lease_owner = ?2 RETURNING id");
      update.bind(1, job.id).bind(2, owner_).bind(3, clock_() + delay.count()).bind(4, error);
      return update.step();
    });
  }

  std::size_t retry_failed_now(StorageProvider provider, std::string_view bucket) override {
    return catalog_.write([&](Database& db) {
      auto hurry = db.prepare(
          "UPDATE delete_jobs SET next_attempt_at = ?1 WHERE last_error IS NOT NULL "
          "AND next_attempt_at > ?1 AND lease_owner IS NULL "
          "AND (provider IS NULL OR (provider = ?2 AND bucket = ?3)) RETURNING id");
      hurry.bind(1, clock_()).bind(2, model::to_string(provider)).bind(3, bucket);
      std::size_t hurried = 0;
      while (hurry.step()) ++hurried;
      return hurried;
    });
  }

  bool stop_waiting_for_persist(std::string_view record_id) override {
    return catalog_.write([&](Database& db) { return make_due(db, record_id, clock_()); });
  }

  bool requeue_if_deleted(const Record& record, StorageProvider provider,
                          std::string_view bucket) override {
    return catalog_.write([&](Database& db) {
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
    return catalog_.read([&](Database& db) {
      auto keys = db.prepare(
          "SELECT DISTINCT key.value FROM delete_jobs, json_each(delete_jobs.object_keys) AS key");
      std::vector<std::string> out;
      while (keys.step()) out.push_back(keys.text(0));
      return out;
    });
  }

  std::int64_t count(const std::vector<std::string>& record_ids) override {
    return catalog_.read([&](Database& db) {
      if (record_ids.empty()) {
        auto all = db.prepare("SELECT count(*) FROM delete_jobs");
        all.step();
        return all.integer(0);
      }
      auto some = db.prepare(
          "SELECT count(*) FROM delete_jobs WHERE record_id IN (SELECT value FROM json_each(?1))");
      some.bind(1, nlohmann::json(record_ids).dump());
      some.step();
      return some.integer(0);
    });
  }

  std::optional<std::int64_t> next_claimable_at(StorageProvider provider,
                                                std::string_view bucket) override {
    return catalog_.read([&](Database& db) -> std::optional<std::int64_t> {
      auto next = db.prepare(
          "SELECT min(max(next_attempt_at, coalesce(lease_expires_at, 0))) FROM delete_jobs "
          "WHERE provider IS NULL OR (provider = ?1 AND bucket = ?2)");
      next.bind(1, model::to_string(provider)).bind(2, bucket);
      if (!next.step() || next.is_null(0)) return std::nullopt;
      return next.integer(0);
    });
  }

  std::int64_t now() const override { return clock_(); }

 private:
  // Makes the record's unleased delete jobs due at `now`; whether there was one.
  static bool make_due(Database& db, std::string_view record_id, std::int64_t now) {
    auto hurry = db.prepare(
        "UPDATE delete_jobs SET next_attempt_at = ?2 WHERE record_id = ?1 "
        "AND (lease_owner IS NULL OR lease_expires_at <= ?2) RETURNING id");
    hurry.bind(1, record_id).bind(2, now);
    bool any = false;
    while (hurry.step()) any = true;
    return any;
  }

  // A record created since the deletion may name a key or a staged copy again: it stays.
  static void drop_what_records_name(Database& db, std::vector<DeleteJob>& jobs) {
    catalog::drop_what_records_name(
        jobs, [&](const std::vector<std::string>& keys) { return object_keys_in_use(db, keys); },
        [&](const std::vector<std::string>& staged) { return staged_ids_in_use(db, staged); });
  }

  SqliteCatalogBase& catalog_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  util::Clock clock_;
};

}  // namespace

std::unique_ptr<DeleteJobs> make_sqlite_delete_jobs(SqliteCatalogBase& catalog, std::string owner,
                                                    std::chrono::milliseconds lease,
                                                    util::Clock clock) {
  return std::make_unique<SqliteDeleteJobs>(catalog, std::move(owner), lease, std::move(clock));
}

}  // namespace pindeck::catalog
