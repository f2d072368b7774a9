// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/record_removal.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "catalog/postgres/connection.hpp"
#include "catalog/postgres/record_queries.hpp"
#include "catalog/postgres/records_table.hpp"
#include "catalog/query_rules.hpp"
#include "catalog/record_cleanup.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// Ids are not checked for UTF-8 before they get here: one that is not is shown and sent with
// replacement characters, so it names no record instead of breaking the JSON.
constexpr QuoteId quote = json_quoted_replacing_invalid;
constexpr auto json_text = json_text_replacing_invalid;

// A stored record as a removal reads it.
struct Row {
  std::optional<std::string> parent;
  std::string doc;
};

// Locks the rows of the records `ids` names, and of every descendant of them when `family`, and
// returns them by id. Locked in one order (by pk) so that two removals wait for each other
// instead of deadlocking.
std::unordered_map<std::string, Row> lock_records(Connection& db, const std::string& ids,
                                                  bool family) {
  // UNION (not UNION ALL) drops a record met again, which ends a cycle a migrated catalog might
  // hold.
  auto rows = family ? db.exec(
                           "WITH RECURSIVE tree (pk, id) AS ("
                           "  SELECT pk, id FROM records"
                           "  WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))"
                           "  UNION"
                           "  SELECT r.pk, r.id FROM tree JOIN records r"
                           "  ON r.parent_image_id = tree.id) "
                           "SELECT id, parent_image_id, doc FROM records "
                           "WHERE pk IN (SELECT pk FROM tree) ORDER BY pk FOR UPDATE",
                           {ids})
                     : db.exec(
                           "SELECT id, parent_image_id, doc FROM records "
                           "WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
                           "ORDER BY pk FOR UPDATE",
                           {ids});
  std::unordered_map<std::string, Row> locked;
  for (int row = 0; row < rows.size(); ++row) {
    locked.emplace(rows.text(row, 0), Row{rows.optional_text(row, 1), rows.text(row, 2)});
  }
  return locked;
}

// How many variations each of `locked` has that are not among them, by parent id. Run after the
// parents are locked, it sees every variation committed so far; one added later waits for the
// parent's lock (records_table.cpp locks the parent a variation names) and then finds it gone.
std::map<std::string, std::int64_t> variations_left_out(
    Connection& db, const std::unordered_map<std::string, Row>& locked) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& entry : locked) ids.push_back(entry.first);
  auto rows = db.exec(
      "WITH taken AS (SELECT jsonb_array_elements_text($1::jsonb) AS id) "
      "SELECT parent_image_id, count(*) FROM records "
      "WHERE parent_image_id IN (SELECT id FROM taken) AND id NOT IN (SELECT id FROM taken) "
      "GROUP BY parent_image_id",
      {json_text(ids)});
  std::map<std::string, std::int64_t> left_out;
  for (int row = 0; row < rows.size(); ++row) {
    left_out.emplace(rows.text(row, 0), rows.integer(row, 1));
  }
  return left_out;
}

// Each value of `values` that `select_in_use` (one parameter: a JSON array of values) returns.
std::set<std::string> values_in_use(Connection& db, std::string_view select_in_use,
                                    const std::vector<std::string>& values) {
  std::set<std::string> in_use;
  if (values.empty()) return in_use;
  auto rows = db.exec(select_in_use, {json_text(values)});
  for (int row = 0; row < rows.size(); ++row) in_use.insert(rows.text(row, 0));
  return in_use;
}

// When a worker's lease on each record's persist job ends, for those a worker holds now. The jobs
// are locked first: a claim another host has not committed yet is waited for and then seen, and
// no claim can start until the records and their jobs are gone.
std::unordered_map<std::string, std::int64_t> running_persist_lease_ends(
    Connection& db, const std::vector<Record>& records, std::int64_t now) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& record : records) ids.push_back(record.id);
  auto rows = db.exec(
      "SELECT record_id, state, lease_owner, lease_expires_at FROM persist_jobs "
      "WHERE record_id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
      "ORDER BY record_id FOR UPDATE",
      {json_text(ids)});
  std::unordered_map<std::string, std::int64_t> lease_ends;
  for (int row = 0; row < rows.size(); ++row) {
    if (rows.text(row, 1) != "queued" || rows.is_null(row, 2) || rows.is_null(row, 3)) continue;
    const std::int64_t expires = rows.integer(row, 3);
    if (expires > now) lease_ends.emplace(rows.text(row, 0), expires);
  }
  return lease_ends;
}

}  // namespace

std::vector<Record> records_to_remove(Connection& db, const std::vector<std::string>& ids,
                                      bool family) {
  if (ids.empty()) throw Error(Errc::invalid, "ids: name at least one record to delete");
  std::vector<std::string> named;
  std::set<std::string> taken;
  for (const auto& id : ids) {
    if (taken.insert(id).second) named.push_back(id);
  }
  const std::string named_json = json_text(named);
  auto locked = lock_records(db, named_json, family);
  for (const auto& id : named) {
    if (!locked.contains(id)) {
      throw Error(Errc::not_found, std::string("no record with id ") += quote(id));
    }
  }
  auto left_out = variations_left_out(db, locked);
  if (family) {
    // A variation committed between the walk and the locks is not in the family yet: walk again
    // (its parent is locked now, so no further one can come).
    while (!left_out.empty()) {
      locked = lock_records(db, named_json, true);
      left_out = variations_left_out(db, locked);
    }
  }
  for (const auto& id : named) {
    const auto kept = left_out.find(id);
    if (kept != left_out.end()) refuse_kept_variations(id, kept->second, quote);
  }

  // Breadth first from the named records, children in id order, so every descendant comes after
  // its parent (the order the SQLite catalog gives); reversed at the end, variations come before
  // their parents.
  std::map<std::string, std::vector<std::string>> children;
  if (family) {
    for (const auto& [id, row] : locked) {
      if (row.parent) children[*row.parent].push_back(id);
    }
    for (auto& [parent, ids_of_children] : children) {
      std::sort(ids_of_children.begin(), ids_of_children.end());
    }
  }
  std::vector<Record> order;
  std::deque<std::string> next(named.begin(), named.end());
  while (!next.empty()) {
    const std::string id = std::move(next.front());
    next.pop_front();
    order.push_back(record_from_doc(locked.at(id).doc));
    const auto found = children.find(id);
    if (found == children.end()) continue;
    for (const auto& child : found->second) {
      if (taken.insert(child).second) next.push_back(child);
    }
  }
  std::reverse(order.begin(), order.end());
  return order;
}

std::vector<std::string> ids_matching(Connection& db, RecordQuery filter) {
  return catalog::ids_matching(std::move(filter),
                               [&](const RecordQuery& page) { return list_records(db, page); });
}

std::set<std::string> object_keys_in_use(Connection& db, const std::vector<std::string>& keys) {
  // One pass over the records whatever the number of keys asked about.
  return values_in_use(db,
                       "SELECT asked.key FROM jsonb_array_elements_text($1::jsonb) AS asked (key) "
                       "WHERE asked.key IN ("
                       "  SELECT named.key FROM records"
                       "  CROSS JOIN LATERAL (SELECT records.doc::jsonb AS d) AS parsed"
                       "  CROSS JOIN LATERAL (VALUES (d ->> 'storagePath'),"
                       "    (d ->> 'previewStoragePath'),"
                       "    (d #>> '{derivativeStoragePaths,small}'),"
                       "    (d #>> '{derivativeStoragePaths,medium}'),"
                       "    (d #>> '{derivativeStoragePaths,large}')) AS named (key)"
                       "  WHERE named.key IS NOT NULL)",
                       keys);
}

std::set<std::string> staged_ids_in_use(Connection& db,
                                        const std::vector<std::string>& staged_ids) {
  return values_in_use(db,
                       "SELECT asked.id FROM jsonb_array_elements_text($1::jsonb) AS asked (id) "
                       "WHERE asked.id IN (SELECT doc::jsonb ->> 'storageId' FROM records)",
                       staged_ids);
}

void queue_delete_job(Connection& db, const Record& record, const std::vector<std::string>& keys,
                      const std::optional<std::string>& staged_id, std::int64_t due_at,
                      std::int64_t now) {
  const auto store = object_store_of(record);
  db.exec(
      "INSERT INTO delete_jobs (record_id, provider, bucket, object_keys, staged_id, "
      "next_attempt_at, created_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6::bigint, $7::bigint)",
      {record.id, store.provider, store.bucket, json_text(keys), staged_id, due_at, now});
}

std::vector<RemovedRecord> remove_records_queueing_cleanup(Connection& db,
                                                           const std::vector<Record>& records,
                                                           std::int64_t now) {
  const auto lease_ends = running_persist_lease_ends(db, records, now);
  return remove_queueing_cleanup(
      records,
      {[&](const Record& record) { delete_record(db, record); },
       [&](const std::vector<std::string>& keys) { return object_keys_in_use(db, keys); },
       [&](const std::vector<std::string>& staged) { return staged_ids_in_use(db, staged); },
       [&](const Record& record, const std::vector<std::string>& keys,
           const std::optional<std::string>& staged_id) {
         const auto lease_end = lease_ends.find(record.id);
         const std::int64_t due = lease_end == lease_ends.end() ? now : lease_end->second;
         queue_delete_job(db, record, keys, staged_id, due, now);
       }});
}

}  // namespace pindeck::catalog::postgres
