// SPDX-License-Identifier: Apache-2.0
// The catalog in one SQLite file: safe to share between threads (calls are serialised on one
// connection) and between processes (WAL, busy timeout, IMMEDIATE write transactions).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <type_traits>

#include "catalog/catalog.hpp"
#include "catalog/sqlite.hpp"

namespace pindeck::catalog {

class SqliteCatalog final : public Catalog {
 public:
  // Opens or creates the catalog file and brings its schema up to date.
  static std::unique_ptr<SqliteCatalog> open(const std::filesystem::path& file);

  CreateResult insert(Record record) override;
  std::vector<CreateResult> insert_batch(std::vector<Record> records) override;
  Record get(std::string_view id) override;
  std::optional<Record> find(std::string_view id) override;
  std::optional<Record> find_by(RecordKey key, std::string_view value) override;
  std::vector<Record> update_each(
      const std::vector<std::string>& ids,
      const std::function<nlohmann::json(const Record&)>& patch_of) override;
  Record update(std::string_view id, const nlohmann::json& patch) override;
  std::vector<RemovedRecord> remove_records(const std::vector<std::string>& ids, bool family,
                                            bool dry_run) override;
  std::vector<RemovedRecord> remove_matching(const RecordQuery& filter, bool family,
                                             bool dry_run) override;
  RecordPage list(const RecordQuery& query) override;
  RecordPage search(std::string_view text, const RecordQuery& query) override;
  void release_memory() override;
  std::optional<Record> parent(std::string_view id) override;
  RecordPage children(std::string_view id, const RecordQuery& query) override;
  Record root(std::string_view id) override;
  Family family(std::string_view id) override;
  std::size_t set_project_order(std::string_view project_name,
                                const std::vector<std::string>& ids) override;
  RecordStats stats(const RecordQuery& filter) override;
  std::int64_t increment(std::string_view id, Counter counter, std::int64_t delta) override;
  std::unique_ptr<PersistJobs> persist_jobs(std::string owner, std::chrono::milliseconds lease,
                                            util::Clock clock = util::system_now_ms) override;
  std::unique_ptr<DeleteJobs> delete_jobs(std::string owner, std::chrono::milliseconds lease,
                                          util::Clock clock = util::system_now_ms) override;

  // Runs body(Database&) inside one write transaction while holding the catalog's lock, for
  // changes that must commit together (a record and its persistence job, for instance).
  template <typename Body>
  auto write(Body&& body) {
    std::lock_guard lock(mutex_);
    Transaction tx(*db_);
    if constexpr (std::is_void_v<decltype(body(*db_))>) {
      body(*db_);
      tx.commit();
    } else {
      auto result = body(*db_);
      tx.commit();
      return result;
    }
  }

  // Runs body(Database&) inside one write transaction that is rolled back instead of committed
  // when `dry_run`: what the body returns is what the change would have done.
  template <typename Body>
  auto write_or_try(bool dry_run, Body&& body) {
    std::lock_guard lock(mutex_);
    Transaction tx(*db_);
    auto result = body(*db_);
    if (!dry_run) tx.commit();
    return result;
  }

  // Runs body(Database&) for reading while holding the catalog's lock.
  template <typename Body>
  auto read(Body&& body) {
    std::lock_guard lock(mutex_);
    return body(*db_);
  }

 private:
  explicit SqliteCatalog(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
};

}  // namespace pindeck::catalog
