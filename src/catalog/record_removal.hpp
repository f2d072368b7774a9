// SPDX-License-Identifier: Apache-2.0
// Deleting records (DESIGN §6.8): which records a deletion takes (a record with variations only
// with its whole family), removing their rows, and queueing the removal of what they leave in the
// object store and the staging store, all in the caller's transaction.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "catalog/delete_jobs.hpp"
#include "catalog/record_cleanup.hpp"
#include "catalog/sqlite.hpp"
#include "pindeck/query.hpp"

namespace pindeck::catalog {

// The records a deletion of `ids` takes, variations before their parents, each once. Throws
// Errc::not_found naming a missing id, Errc::invalid for an empty list, and Errc::conflict naming a
// record with variations that are not deleted with it (unless `family`, which takes every
// descendant too).
std::vector<Record> records_to_remove(Database& db, const std::vector<std::string>& ids,
                                      bool family);

// The ids of every record that `filter` lists (its limit and cursor are ignored).
std::vector<std::string> ids_matching(Database& db, RecordQuery filter);

// Deletes `records` (as records_to_remove returned them) and queues one delete job for each that
// leaves objects or a staged copy no remaining record names. A record whose persist job is leased
// (a worker is uploading it right now) gets a job due when that lease ends, so the worker's
// uploads are over (or it is known to be dead) before the objects are removed.
std::vector<RemovedRecord> remove_records_queueing_cleanup(Database& db,
                                                           const std::vector<Record>& records,
                                                           std::int64_t now);

// Which of `keys` a record names as one of its object keys.
std::set<std::string> object_keys_in_use(Database& db, const std::vector<std::string>& keys);
// Which of `staged_ids` a record names as its storageId.
std::set<std::string> staged_ids_in_use(Database& db, const std::vector<std::string>& staged_ids);

// Queues the removal of `keys` and `staged_id`, due at `due_at`.
void queue_delete_job(Database& db, const Record& record, const std::vector<std::string>& keys,
                      const std::optional<std::string>& staged_id, std::int64_t due_at,
                      std::int64_t now);

}  // namespace pindeck::catalog
