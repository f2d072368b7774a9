// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_removal.hpp"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "catalog/query_rules.hpp"
#include "catalog/record_queries.hpp"
#include "catalog/records_table.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

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
      if (kept > 0) refuse_kept_variations(record.id, kept, json_quoted);
    }
  }
  std::reverse(order.begin(), order.end());
  return order;
}

std::vector<std::string> ids_matching(Database& db, RecordQuery filter) {
  return catalog::ids_matching(std::move(filter),
                               [&](const RecordQuery& page) { return list_records(db, page); });
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
  const auto store = object_store_of(record);
  db.prepare(
        "INSERT INTO delete_jobs (record_id, provider, bucket, object_keys, staged_id, "
        "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, record.id)
      .bind(2, store.provider)
      .bind(3, store.bucket)
      .bind(4, json_array(keys))
      .bind(5, staged_id)
      .bind(6, due_at)
      .bind(7, now)
      .run();
}

std::vector<RemovedRecord> remove_records_queueing_cleanup(Database& db,
                                                           const std::vector<Record>& records,
                                                           std::int64_t now) {
  // Read before any record goes: deleting a record deletes its persist job.
  std::unordered_map<std::string, std::int64_t> due;
  for (const auto& record : records) {
    due.emplace(record.id, running_persist_lease_end(db, record.id, now).value_or(now));
  }
  return remove_queueing_cleanup(
      records,
      {[&](const Record& record) { delete_record(db, record); },
       [&](const std::vector<std::string>& keys) { return object_keys_in_use(db, keys); },
       [&](const std::vector<std::string>& staged) { return staged_ids_in_use(db, staged); },
       [&](const Record& record, const std::vector<std::string>& keys,
           const std::optional<std::string>& staged_id) {
         queue_delete_job(db, record, keys, staged_id, due.at(record.id), now);
       }});
}

}  // namespace pindeck::catalog
