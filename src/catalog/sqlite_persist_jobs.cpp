// SPDX-License-Identifier: Apache-2.0
// PersistJobs on the SQLite catalog: the job queue's SQL (job_queue.cpp) and the record's rows
// (records_table.cpp) changed in one IMMEDIATE transaction.
#include <utility>

#include "catalog/job_queue.hpp"
#include "catalog/records_table.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "model/validation.hpp"

namespace pindeck::catalog {

namespace {

class SqlitePersistJobs final : public PersistJobs {
 public:
  SqlitePersistJobs(SqliteCatalog& catalog, std::string owner, std::chrono::milliseconds lease,
                    util::Clock clock)
      : catalog_(catalog), queue_(std::move(owner), lease, std::move(clock)) {}

  CreateResult insert_with_job(Record record) override {
    return catalog_.write([&](Database& db) {
      auto result = insert_record(db, std::move(record));
      if (result.created) queue_.enqueue(db, result.record.id);
      return result;
    });
  }

  std::vector<Record> requeue_awaiting_backfill(int limit, bool include_permanent) override {
    return catalog_.write([&](Database& db) {
      std::vector<std::string> ids;
      {
        // A record without a job row (never queued here, or imported) counts as never
        // backfilled. `IS` compares NULL as a value: a queued job has no failure.
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
        while (select.step()) ids.push_back(select.text(0));
      }
      std::vector<Record> requeued;
      for (const auto& id : ids) {
        Record record = load_record(db, id);
        record.storage_persist_status = PersistStatus::pending;
        replace_record(db, record);
        queue_.requeue_for_backfill(db, id);
        requeued.push_back(std::move(record));
      }
      return requeued;
    });
  }

  std::set<std::string> staged_ids_in_use() override {
    return catalog_.read([&](Database& db) {
      std::set<std::string> ids;
      auto select = db.prepare(
          "SELECT json_extract(doc, '$.storageId') FROM records "
          "WHERE json_extract(doc, '$.storageId') IS NOT NULL");
      while (select.step()) ids.insert(select.text(0));
      return ids;
    });
  }

  std::optional<Job> claim() override {
    return catalog_.write([&](Database& db) { return queue_.claim(db); });
  }

  bool renew(Job& job) override {
    return catalog_.write([&](Database& db) { return queue_.renew(db, job); });
  }

  bool complete(const Job& job, const RecordEdit& edit) override {
    return end_job(job, edit, [&](Database& db) { return queue_.complete(db, job); });
  }

  bool retry_later(const Job& job, std::chrono::milliseconds delay, std::string_view error,
                   const RecordEdit& edit) override {
    return end_job(job, edit,
                   [&](Database& db) { return queue_.retry_later(db, job, delay, error); });
  }

  bool fail(const Job& job, std::string_view error, FailureKind kind,
            const RecordEdit& edit) override {
    return end_job(job, edit, [&](Database& db) { return queue_.fail(db, job, error, kind); });
  }

  void drop(const Job& job) override {
    catalog_.write([&](Database& db) { queue_.complete(db, job); });
  }

  std::optional<Job> find(std::string_view record_id) override {
    return catalog_.read([&](Database& db) { return queue_.find(db, record_id); });
  }

  JobCounts counts() override {
    return catalog_.read([&](Database& db) { return queue_.counts(db); });
  }

  std::optional<std::int64_t> next_claimable_at() override {
    return catalog_.read([&](Database& db) { return queue_.next_claimable_at(db); });
  }

  const std::string& owner() const override { return queue_.owner(); }
  std::int64_t now() const override { return queue_.now(); }

 private:
  // The job change and the record change commit together, or neither happens.
  template <typename JobChange>
  bool end_job(const Job& job, const RecordEdit& edit, JobChange&& change_job) {
    return catalog_.write([&](Database& db) {
      if (!queue_.holds(db, job)) return false;
      auto record = find_record(db, job.record_id);
      if (record && !edit(*record)) return false;
      if (record && record->storage_persist_error) {
        // The message quotes what failed (a file name, a server's answer): fit it to the field.
        record->storage_persist_error =
            model::fit_message(*record->storage_persist_error, limits::persist_error_chars);
      }
      if (!change_job(db)) return false;
      if (!record) return false;
      replace_record(db, *record);
      return true;
    });
  }

  SqliteCatalog& catalog_;
  JobQueue queue_;
};

}  // namespace

std::unique_ptr<PersistJobs> SqliteCatalog::persist_jobs(std::string owner,
                                                         std::chrono::milliseconds lease,
                                                         util::Clock clock) {
  return std::make_unique<SqlitePersistJobs>(*this, std::move(owner), lease, std::move(clock));
}

}  // namespace pindeck::catalog
