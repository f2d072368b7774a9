// SPDX-License-Identifier: Apache-2.0
// What deleting records leaves to clean up in the object store and the staging store, decided the
// same way on both catalog backends: each backend passes in the statements that read and write
// its tables (record_removal.hpp, delete_jobs.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/delete_jobs.hpp"
#include "catalog/record_text.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

// The object keys a record names, each once.
std::vector<std::string> object_keys_of(const Record& record);

// Which of the values asked about (object keys, or staged ids) a stored record names.
using ValuesInUse = std::function<std::set<std::string>(const std::vector<std::string>&)>;

// The statements of one backend that remove records, in the caller's transaction.
struct RemovalSteps {
  std::function<void(const Record&)> delete_record;
  ValuesInUse object_keys_in_use;
  ValuesInUse staged_ids_in_use;
  // Queues the removal of the object keys and staged copy `record` leaves.
  std::function<void(const Record& record, const std::vector<std::string>& keys,
                     const std::optional<std::string>& staged_id)>
      queue_cleanup;
};

// Deletes `records`, then queues the cleanup of each one that leaves object keys or a staged copy
// no remaining record names. Returns what each left.
std::vector<RemovedRecord> remove_queueing_cleanup(const std::vector<Record>& records,
                                                   const RemovalSteps& steps);

// The store a delete job removes `record`'s objects from: its provider's name and its bucket, or
// neither for a record on Convex or without a bucket (the job then removes only the staged copy).
struct ObjectStoreOf {
  std::optional<std::string> provider;
  std::optional<std::string> bucket;
};
ObjectStoreOf object_store_of(const Record& record);

// The Errc::conflict error of a deletion that leaves `kept` variations of record `id` behind.
[[noreturn]] void refuse_kept_variations(std::string_view id, std::int64_t kept, QuoteId quote);

// Takes out of `jobs` the object keys and staged copies that a record names again (one created
// since the deletion): they stay.
void drop_what_records_name(std::vector<DeleteJob>& jobs, const ValuesInUse& object_keys_in_use,
                            const ValuesInUse& staged_ids_in_use);

// The statements of one backend that DeleteJobs::requeue_if_deleted runs, in one transaction.
struct RequeueSteps {
  std::function<bool()> record_exists;
  // Makes the record's unleased delete jobs due at `now`; whether there was one.
  std::function<bool(std::int64_t now)> make_due;
  ValuesInUse object_keys_in_use;
  std::function<void(const Record& record, const std::vector<std::string>& keys, std::int64_t now)>
      queue_delete_job;
};

// DeleteJobs::requeue_if_deleted: for a record that is gone, makes its delete jobs due, or, when
// none waits, queues the removal of the object keys no stored record names again, from the store
// (`provider`, `bucket`) its persist job uploaded to.
bool requeue_removal_if_deleted(const Record& record, StorageProvider provider,
                                std::string_view bucket, const util::Clock& clock,
                                const RequeueSteps& steps);

}  // namespace pindeck::catalog
