// SPDX-License-Identifier: Apache-2.0
#include "catalog/sqlite_catalog.hpp"

#include "catalog/lineage.hpp"
#include "catalog/migrations.hpp"
#include "catalog/record_queries.hpp"
#include "catalog/record_removal.hpp"
#include "catalog/records_table.hpp"
#include "model/patch.hpp"
#include "pindeck/error.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

std::unique_ptr<SqliteCatalog> SqliteCatalog::open(const std::filesystem::path& file) {
  auto db = Database::open(file);
  migrate(*db);
  return std::unique_ptr<SqliteCatalog>(new SqliteCatalog(std::move(db)));
}

std::unique_ptr<Catalog> open_catalog(const std::filesystem::path& file) {
  return SqliteCatalog::open(file);
}

CreateResult SqliteCatalog::insert(Record record) {
  return write([&](Database& db) { return insert_record(db, std::move(record)); });
}

std::vector<CreateResult> SqliteCatalog::insert_batch(std::vector<Record> records) {
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

Record SqliteCatalog::get(std::string_view id) {
  return read([&](Database& db) { return load_record(db, id); });
}

std::optional<Record> SqliteCatalog::find(std::string_view id) {
  return read([&](Database& db) { return find_record(db, id); });
}

std::optional<Record> SqliteCatalog::find_by(RecordKey key, std::string_view value) {
  return read([&](Database& db) { return find_record_by(db, key, value); });
}

std::vector<Record> SqliteCatalog::update_each(
    const std::vector<std::string>& ids,
    const std::function<nlohmann::json(const Record&)>& patch_of) {
  return write([&](Database& db) {
    std::vector<Record> stored;
    stored.reserve(ids.size());
    for (const auto& id : ids) {
      Record record = load_record(db, id);
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

Record SqliteCatalog::update(std::string_view id, const nlohmann::json& patch) {
  return write([&](Database& db) {
    Record updated = model::apply_patch(load_record(db, id), patch);
    replace_record(db, updated);
    return updated;
  });
}

std::vector<RemovedRecord> SqliteCatalog::remove_records(const std::vector<std::string>& ids,
                                                         bool family, bool dry_run) {
  return write_or_try(dry_run, [&](Database& db) {
    return remove_records_queueing_cleanup(db, records_to_remove(db, ids, family),
                                           util::system_now_ms());
  });
}

std::vector<RemovedRecord> SqliteCatalog::remove_matching(const RecordQuery& filter, bool family,
                                                          bool dry_run) {
  return write_or_try(dry_run, [&](Database& db) {
    const auto ids = ids_matching(db, filter);
    if (ids.empty()) return std::vector<RemovedRecord>{};
    return remove_records_queueing_cleanup(db, records_to_remove(db, ids, family),
                                           util::system_now_ms());
  });
}

RecordPage SqliteCatalog::list(const RecordQuery& query) {
  return read([&](Database& db) { return list_records(db, query); });
}

RecordPage SqliteCatalog::search(std::string_view text, const RecordQuery& query) {
  return read([&](Database& db) { return search_records(db, text, query); });
}

void SqliteCatalog::release_memory() {
  read([](Database& db) { db.release_memory(); });
}

std::optional<Record> SqliteCatalog::parent(std::string_view id) {
  return read([&](Database& db) { return parent_of(db, id); });
}

RecordPage SqliteCatalog::children(std::string_view id, const RecordQuery& query) {
  return read([&](Database& db) { return children_of(db, id, query); });
}

Record SqliteCatalog::root(std::string_view id) {
  return read([&](Database& db) { return root_of(db, id); });
}

Family SqliteCatalog::family(std::string_view id) {
  return read([&](Database& db) { return family_of(db, id); });
}

std::size_t SqliteCatalog::set_project_order(std::string_view project_name,
                                             const std::vector<std::string>& ids) {
  return write([&](Database& db) { return catalog::set_project_order(db, project_name, ids); });
}

RecordStats SqliteCatalog::stats(const RecordQuery& filter) {
  return read([&](Database& db) {
    ReadTransaction snapshot(db);
    return count_records(db, filter);
  });
}

std::int64_t SqliteCatalog::increment(std::string_view id, Counter counter, std::int64_t delta) {
  return write([&](Database& db) { return increment_counter(db, id, counter, delta); });
}

}  // namespace pindeck::catalog
