// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_cleanup.hpp"

#include <algorithm>

#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

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

std::vector<RemovedRecord> remove_queueing_cleanup(const std::vector<Record>& records,
                                                   const RemovalSteps& steps) {
  std::vector<std::string> all_keys;
  std::vector<std::string> all_staged;
  for (const auto& record : records) {
    for (auto& key : object_keys_of(record)) all_keys.push_back(std::move(key));
    if (record.storage_id) all_staged.push_back(*record.storage_id);
    steps.delete_record(record);
  }
  // Asked once the records are gone: what is still named belongs to a record that stays.
  const auto keys_kept = steps.object_keys_in_use(all_keys);
  const auto staged_kept = steps.staged_ids_in_use(all_staged);

  std::vector<RemovedRecord> removed;
  for (const Record& record : records) {
    RemovedRecord entry{record, {}};
    for (auto& key : object_keys_of(record)) {
      if (!keys_kept.contains(key)) entry.object_keys.push_back(std::move(key));
    }
    std::optional<std::string> staged = record.storage_id;
    if (staged && staged_kept.contains(*staged)) staged.reset();
    if (!entry.object_keys.empty() || staged)
      steps.queue_cleanup(record, entry.object_keys, staged);
    removed.push_back(std::move(entry));
  }
  return removed;
}

ObjectStoreOf object_store_of(const Record& record) {
  if (record.storage_provider && *record.storage_provider != StorageProvider::convex &&
      record.storage_bucket) {
    return {std::string(model::to_string(*record.storage_provider)), record.storage_bucket};
  }
  return {};
}

void refuse_kept_variations(std::string_view id, std::int64_t kept, QuoteId quote) {
  throw Error(Errc::conflict, "record " + quote(id) + " has " + std::to_string(kept) +
                                  " variation(s); delete them first or delete the whole family");
}

void drop_what_records_name(std::vector<DeleteJob>& jobs, const ValuesInUse& object_keys_in_use,
                            const ValuesInUse& staged_ids_in_use) {
  std::vector<std::string> keys;
  std::vector<std::string> staged;
  for (const auto& job : jobs) {
    keys.insert(keys.end(), job.object_keys.begin(), job.object_keys.end());
    if (job.staged_id) staged.push_back(*job.staged_id);
  }
  const auto keys_named = object_keys_in_use(keys);
  const auto staged_named = staged_ids_in_use(staged);
  for (auto& job : jobs) {
    std::erase_if(job.object_keys, [&](const std::string& k) { return keys_named.contains(k); });
    if (job.staged_id && staged_named.contains(*job.staged_id)) job.staged_id.reset();
  }
}

bool requeue_removal_if_deleted(const Record& record, StorageProvider provider,
                                std::string_view bucket, const util::Clock& clock,
                                const RequeueSteps& steps) {
  if (steps.record_exists()) return false;
  const auto now = clock();
  if (steps.make_due(now)) return true;
  // None waits (each ran, or one runs right now and may have missed the last upload): queue the
  // removal again, for the store the job uploaded to.
  std::vector<std::string> keys;
  const auto kept = steps.object_keys_in_use(object_keys_of(record));
  for (auto& key : object_keys_of(record)) {
    if (!kept.contains(key)) keys.push_back(std::move(key));
  }
  if (keys.empty()) return true;
  Record where = record;
  where.storage_provider = provider;
  where.storage_bucket = std::string(bucket);
  steps.queue_delete_job(where, keys, now);
  return true;
}

}  // namespace pindeck::catalog
