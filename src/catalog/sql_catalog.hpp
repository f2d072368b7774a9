// SPDX-License-Identifier: Apache-2.0
// What a Catalog does, written once for every SQL backend: each call takes the catalog's lock and
// one transaction, and runs the backend's functions for records, queries, lineage and removal.
// Those are free functions of the same names and signatures in the backend's namespace
// (records_table.hpp, record_queries.hpp, lineage.hpp, record_removal.hpp, catalog_export.hpp for
// SQLite; their twins in postgres/), found by argument-dependent lookup on the backend's connection
// type.
//
// `Backend` names the backend's types:
//   Database          its connection, with release_memory()
//   WriteTransaction  a transaction that is rolled back unless commit() is called
//   ReadTransaction   a transaction reading one snapshot
//   JobQueue          its persist job queue (job_queue.hpp)
// and makes its delete queue: static std::unique_ptr<DeleteJobs> delete_jobs(SqlCatalog<Backend>&,
// std::string owner, std::chrono::milliseconds lease, util::Clock).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "catalog/catalog.hpp"
#include "catalog/record_text.hpp"
#include "catalog/sql_persist_jobs.hpp"
#include "model/patch.hpp"
#include "pindeck/error.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

namespace detail {

// Outside the class, so that the unqualified call reaches the backend's set_project_order by
// argument-dependent lookup instead of the member function of the same name.
template <typename Db>
std::size_t order_project(Db& db, std::string_view project_name,
                          const std::vector<std::string>& ids) {
  return set_project_order(db, project_name, ids);
}

}  // namespace detail

template <typename Backend>
class SqlCatalog : public Catalog {
 public:
  using Database = typename Backend::Database;

  CreateResult insert(Record record) override {
    return write([&](Database& db) { return insert_record(db, std::move(record)); });
  }

  std::vector<CreateResult> insert_batch(std::vector<Record> records) override {
    return write([&](Database& db) {
      std::vector<CreateResult> results;
      results.reserve(records.size());
      for (std::size_t i = 0; i < records.size(); ++i) {
        try {
          results.push_back(insert_record(db, std::move(records[i])));
        } catch (const Error& e) {
          throw Error(e.code(), "record " + std::to_string(i) + " of the batch: " + e.what());
        }
      }
      return results;
    });
  }

  Record get(std::string_view id) override {
    return read([&](Database& db) { return load_record(db, id); });
  }

  std::optional<Record> find(std::string_view id) override {
    return read([&](Database& db) { return find_record(db, id); });
  }

  std::optional<Record> find_by(RecordKey key, std::string_view value) override {
    return read([&](Database& db) { return find_record_by(db, key, value); });
  }

  std::vector<Record> update_each(
      const std::vector<std::string>& ids,
      const std::function<nlohmann::json(const Record&)>& patch_of) override {
    return write([&](Database& db) {
      std::vector<Record> stored;
      stored.reserve(ids.size());
      for (const auto& id : ids) {
        Record record = load_record_to_change(db, id);
        const nlohmann::json patch = patch_of(record);
        if (!patch.empty()) {
          record = model::apply_patch(std::move(record), patch);
          replace_record(db, record);
        }
        stored.push_back(std::move(record));
      }
      return stored;
    });
  }

  Record update(std::string_view id, const nlohmann::json& patch) override {
    return write([&](Database& db) {
      Record updated = model::apply_patch(load_record_to_change(db, id), patch);
      replace_record(db, updated);
      return updated;
    });
  }

  std::vector<RemovedRecord> remove_records(const std::vector<std::string>& ids, bool family,
                                            bool dry_run) override {
    return write_or_try(dry_run, [&](Database& db) {
      return remove_records_queueing_cleanup(db, records_to_remove(db, ids, family),
                                             util::system_now_ms());
    });
  }

  std::vector<RemovedRecord> remove_matching(const RecordQuery& filter, bool family,
                                             bool dry_run) override {
    return write_or_try(dry_run, [&](Database& db) {
      const auto ids = ids_matching(db, filter);
      if (ids.empty()) return std::vector<RemovedRecord>{};
      return remove_records_queueing_cleanup(db, records_to_remove(db, ids, family),
                                             util::system_now_ms());
    });
  }

  RecordPage list(const RecordQuery& query) override {
    return read([&](Database& db) { return list_records(db, query); });
  }

  RecordPage search(std::string_view text, const RecordQuery& query) override {
    return read([&](Database& db) { return search_records(db, text, query); });
  }

  RecordStats stats(const RecordQuery& filter) override {
    return read([&](Database& db) {
      typename Backend::ReadTransaction snapshot(db);
      return count_records(db, filter);
    });
  }

  std::int64_t increment(std::string_view id, Counter counter, std::int64_t delta) override {
    return write([&](Database& db) { return increment_counter(db, id, counter, delta); });
  }

  std::optional<Record> parent(std::string_view id) override {
    return read([&](Database& db) { return parent_of(db, id); });
  }

  RecordPage children(std::string_view id, const RecordQuery& query) override {
    return read([&](Database& db) { return children_of(db, id, query); });
  }

  Record root(std::string_view id) override {
    return read([&](Database& db) { return root_of(db, id); });
  }

  Family family(std::string_view id) override {
    return read([&](Database& db) { return family_of(db, id); });
  }

  std::size_t set_project_order(std::string_view project_name,
                                const std::vector<std::string>& ids) override {
    return write([&](Database& db) { return detail::order_project(db, project_name, ids); });
  }

  std::unique_ptr<PersistJobs> persist_jobs(std::string owner, std::chrono::milliseconds lease,
                                            util::Clock clock = util::system_now_ms,
                                            std::string staging_site = {}) override {
    return std::make_unique<SqlPersistJobs<SqlCatalog>>(
        *this, JobQueue(std::move(owner), lease, std::move(clock), std::move(staging_site)));
  }

  std::unique_ptr<DeleteJobs> delete_jobs(std::string owner, std::chrono::milliseconds lease,
                                          util::Clock clock = util::system_now_ms) override {
    return Backend::delete_jobs(*this, std::move(owner), lease, std::move(clock));
  }

  std::vector<CatalogEntry> export_after(std::string_view after_id, int limit) override {
    return read([&](Database& db) {
      typename Backend::ReadTransaction snapshot(db);
      return entries_page(db, after_id, limit);
    });
  }

  ImportResult import_entries(const std::vector<CatalogEntry>& entries) override {
    return write([&](Database& db) {
      std::unordered_map<std::string_view, const CatalogEntry*> unseen;
      for (const auto& entry : entries) unseen.emplace(entry.record.id, &entry);
      ImportResult stored;
      // A parent among the entries is stored before its variation, which names it.
      std::function<void(const CatalogEntry&)> store = [&](const CatalogEntry& entry) {
        if (unseen.erase(entry.record.id) == 0) return;
        if (find_record(db, entry.record.id)) return;
        if (const auto& parent_id = entry.record.parent_image_id) {
          if (auto parent = unseen.find(*parent_id); parent != unseen.end()) {
            store(*parent->second);
          }
          if (!find_record(db, *parent_id)) {
            stored.waiting_for_parent.push_back(entry);
            return;
          }
        }
        try {
          store_entry(db, entry);
        } catch (const Error& e) {
          throw Error(e.code(), "record " + json_quoted(entry.record.id) + ": " + e.what());
        }
        ++stored.records;
        if (entry.persist_job) ++stored.persist_jobs;
      };
      for (const auto& entry : entries) store(entry);
      return stored;
    });
  }

  std::vector<DeleteJobSnapshot> export_delete_jobs_after(std::int64_t after_position,
                                                          int limit) override {
    return read([&](Database& db) { return delete_jobs_page(db, after_position, limit); });
  }

  int import_delete_jobs(const std::vector<DeleteJobSnapshot>& jobs) override {
    return write([&](Database& db) {
      int stored = 0;
      for (const auto& job : jobs) {
        if (store_delete_job(db, job)) ++stored;
      }
      return stored;
    });
  }

  void release_memory() override {
    read([](Database& db) { db.release_memory(); });
  }

  // Runs body(Database&) inside one write transaction while holding the catalog's lock, for
  // changes that must commit together (a record and its persistence job, for instance).
  template <typename Body>
  auto write(Body&& body) {
    std::lock_guard lock(mutex_);
    typename Backend::WriteTransaction tx(*db_);
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
    typename Backend::WriteTransaction tx(*db_);
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

  using JobQueue = typename Backend::JobQueue;

 protected:
  explicit SqlCatalog(std::unique_ptr<Database> db) : db_(std::move(db)) {}

 private:
  // Stores a record that is not stored yet under its own id, with its job: insert_record keeps
  // every field but the id, which it assigns, so the copied id is put back after. Errc::conflict
  // naming the holder when another record holds its externalId or generationArtifactKey.
  static void store_entry(Database& db, const CatalogEntry& entry) {
    Record unnamed = entry.record;
    unnamed.id.clear();
    CreateResult inserted = insert_record(db, std::move(unnamed));
    if (!inserted.created) {
      throw Error(Errc::conflict, "its externalId or generationArtifactKey is held by record " +
                                      json_quoted(inserted.record.id) + " already");
    }
    const std::string assigned_id = std::move(inserted.record.id);
    inserted.record.id = entry.record.id;
    rename_record(db, assigned_id, inserted.record);
    if (entry.persist_job) store_job(db, entry.record.id, *entry.persist_job);
  }

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
};

}  // namespace pindeck::catalog
