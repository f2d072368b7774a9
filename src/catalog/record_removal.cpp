// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_removal.hpp"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>

#include "catalog/record_queries.hpp"
#include "catalog/records_table.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

std::string json_quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

std::vector<std::string> children_of(Database& db, std::string_view id) {
  std::vector<std::string> ids;
  auto select = db.prepare("SELECT id FROM records WHERE parent_image_id = ?1 ORDER BY id");
  select.bind(1, id);
  while (select.step()) ids.push_back(select.text(0));
  return ids;
}

std::string json_array(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

// Each value of `values` that `select_in_use` (one parameter: a JSON array of values) returns.
std::set<std::string> values_in_use(Database& db, std::string_view select_in_use,
                                    const std::vector<std::string>& values) {
  std::set<std::string> in_use;
  if (values.empty()) return in_use;
  auto select = db.prepare(select_in_use);
  select.bind(1, json_array(values));
  while (select.step()) in_use.insert(select.text(0));
  return in_use;
}

// When a worker's lease on the record's persist job ends, if one holds it now.
std::optional<std::int64_t> running_persist_lease_end(Database& db, std::string_view record_id,
                                                      std::int64_t now) {
  auto select = db.prepare(
      "SELECT lease_expires_at FROM persist_jobs WHERE record_id = ?1 AND state = 'queued' "
      "AND lease_owner IS NOT NULL AND lease_expires_at > ?2");
  select.bind(1, record_id).bind(2, now);
  if (!select.step()) return std::nullopt;
  return select.integer(0);
}

}  // namespace

std::vector<Record> records_to_remove(Database& db, const std::vector<std::string>& ids,
                                      bool family) {
  if (ids.empty()) throw Error(Errc::invalid, "ids: name at least one record to delete");
  // Breadth first from the named records, so every descendant comes after its parent; reversed at
  // the end, variations come before their parents.
  std::vector<Record> order;
  std::set<std::string> taken;
  std::deque<std::string> next;
  for (const auto& id : ids) {
    if (taken.insert(id).second) next.push_back(id);
  }
  const std::size_t named = next.size();
  std::size_t visited = 0;
  while (!next.empty()) {
    const std::string id = std::move(next.front());
    next.pop_front();
    order.push_back(load_record(db, id));
    ++visited;
    if (!family && visited <= named) continue;
    for (auto& child : children_of(db, id)) {
      if (taken.insert(child).second) next.push_back(std::move(child));
    }
  }
  if (!family) {
    for (const auto& record : order) {
      const auto children = children_of(db, record.id);
      const auto kept = std::count_if(children.begin(), children.end(),
                                      [&](const std::string& c) { return !taken.contains(c); });
      if (kept > 0) {
        throw Error(Errc::conflict, "record " + json_quoted(record.id) + " has " +
                                        std::to_string(kept) +
                                        " variation(s); delete them first or delete the whole "
                                        "family");
      }
    }
  }
  std::reverse(order.begin(), order.end());
  return order;
}

std::vector<std::string> ids_matching(Database& db, RecordQuery filter) {
  filter.limit = max_page_size;
  filter.cursor.reset();
  std::vector<std::string> ids;
  for (;;) {
    auto page = list_records(db, filter);
    for (auto& record : page.records) ids.push_back(std::move(record.id));
    if (!page.next_cursor) return ids;
    filter.cursor = std::move(page.next_cursor);
  }
}

std::vector<std::string> object_keys_of(const Record& record) {
  std::vector<std::string> keys;
  auto add = [&](const std::optional<std::string>& key) {
    if (key && std::find(keys.begin(), keys.end(), *key) == keys.end()) keys.push_back(*key);
  };
  add(record.storage_path);
  add(record.preview_storage_path);
  if (const auto& paths = record.derivative_storage_paths) {
    add(paths->small);
    add(paths->medium);
    add(paths->large);
  }
  return keys;
}

std::set<std::string> object_keys_in_use(Database& db, const std::vector<std::string>& keys) {
  // One pass over the records per key field, whatever the number of keys asked about.
  return values_in_use(db,
                       "SELECT value FROM json_each(?1) WHERE value IN ("
                       "SELECT json_extract(doc, '$.storagePath') FROM records UNION ALL "
                       "SELECT json_extract(doc, '$.previewStoragePath') FROM records UNION ALL "
                       "SELECT json_extract(doc, '$.derivativeStoragePaths.small') FROM records "
                       "UNION ALL "
                       "SELECT json_extract(doc, '$.derivativeStoragePaths.medium') FROM records "
                       "UNION ALL "
                       "SELECT json_extract(doc, '$.derivativeStoragePaths.large') FROM records)",
                       keys);
}

std::set<std::string> staged_ids_in_use(Database& db, const std::vector<std::string>& staged_ids) {
  return values_in_use(db,
                       "SELECT value FROM json_each(?1) WHERE value IN ("
                       "SELECT json_extract(doc, '$.storageId') FROM records)",
                       staged_ids);
}

void queue_delete_job(Database& db, const Record& record, const std::vector<std::string>& keys,
                      const std::optional<std::string>& staged_id, std::int64_t due_at,
                      std::int64_t now) {
  std::optional<std::string> provider;
  std::optional<std::string> bucket;
  if (record.storage_provider && *record.storage_provider != StorageProvider::convex &&
      record.storage_bucket) {
    provider = std::string(model::to_string(*record.storage_provider));
    bucket = record.storage_bucket;
  }
  db.prepare(
        "INSERT INTO delete_jobs (record_id, provider, bucket, object_keys, staged_id, "
        "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, record.id)
      .bind(2, provider)
      .bind(3, bucket)
      .bind(4, json_array(keys))
      .bind(5, staged_id)
      .bind(6, due_at)
      .bind(7, now)
      .run();
}

std::vector<RemovedRecord> remove_records_queueing_cleanup(Database& db,
                                                           const std::vector<Record>& records,
                                                           std::int64_t now) {
  std::vector<std::int64_t> due;
  std::vector<std::string> all_keys;
  std::vector<std::string> all_staged;
  for (const auto& record : records) {
    due.push_back(running_persist_lease_end(db, record.id, now).value_or(now));
    for (auto& key : object_keys_of(record)) all_keys.push_back(std::move(key));
    if (record.storage_id) all_staged.push_back(*record.storage_id);
    delete_record(db, record);
  }
  // Asked once the records are gone: what is still named belongs to a record that stays.
  const auto keys_kept = object_keys_in_use(db, all_keys);
  const auto staged_kept = staged_ids_in_use(db, all_staged);

  std::vector<RemovedRecord> removed;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& record = records[i];
    RemovedRecord entry{record, {}};
    for (auto& key : object_keys_of(record)) {
      if (!keys_kept.contains(key)) entry.object_keys.push_back(std::move(key));
    }
    std::optional<std::string> staged = record.storage_id;
    if (staged && staged_kept.contains(*staged)) staged.reset();
    if (!entry.object_keys.empty() || staged) {
      queue_delete_job(db, record, entry.object_keys, staged, due[i], now);
    }
    removed.push_back(std::move(entry));
  }
  return removed;
}

}  // namespace pindeck::catalog
