// SPDX-License-Identifier: Apache-2.0
// PersistJobs written once for every SQL backend (see sql_catalog.hpp): the backend's JobQueue
// and its record functions, changed together in one of the catalog's write transactions.
#pragma once

#include <string>
#include <utility>

#include "catalog/persist_jobs.hpp"
#include "model/validation.hpp"

namespace pindeck::catalog {

template <typename Catalog>
class SqlPersistJobs final : public PersistJobs {
 public:
  using Database = typename Catalog::Database;

  SqlPersistJobs(Catalog& catalog, typename Catalog::JobQueue queue)
      : catalog_(catalog), queue_(std::move(queue)) {}

  CreateResult insert_with_job(Record record) override {
    return catalog_.write([&](Database& db) {
      auto result = insert_record(db, std::move(record));
      if (result.created) queue_.enqueue(db, result.record.id);
      return result;
    });
  }

  std::vector<Record> requeue_awaiting_backfill(int limit, bool include_permanent) override {
    return catalog_.write([&](Database& db) {
      std::vector<Record> requeued;
      for (const auto& id : queue_.awaiting_backfill(db, limit, include_permanent)) {
        Record record = load_record_to_change(db, id);
        record.storage_persist_status = PersistStatus::pending;
        replace_record(db, record);
        queue_.requeue_for_backfill(db, id);
        requeued.push_back(std::move(record));
      }
      return requeued;
    });
  }

  std::set<std::string> staged_ids_in_use() override {
    return catalog_.read([&](Database& db) { return queue_.staged_ids(db); });
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
      auto record = find_record_to_change(db, job.record_id);
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

  Catalog& catalog_;
  typename Catalog::JobQueue queue_;
};

}  // namespace pindeck::catalog
