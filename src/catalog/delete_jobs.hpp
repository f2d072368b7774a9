// SPDX-License-Identifier: Apache-2.0
// The durable queue of deletions (DESIGN §6.8): when records are deleted, the same transaction
// queues the removal of their objects and staged copies, so a crash at any point finishes the
// cleanup after restart. A job is claimed with a lease, like a persist job; it never removes an
// object or a staged copy that a record still names (checked again when it is claimed).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/record.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

// A deleted record and the objects it leaves to remove: its object keys that no remaining record
// names (two records may name the same key when a host created them so).
struct RemovedRecord {
  Record record;
  std::vector<std::string> object_keys;
};

struct DeleteJob {
  std::int64_t id = 0;
  std::string record_id;                  // of the deleted record
  std::vector<std::string> object_keys;   // those no record names, as of the claim
  std::optional<std::string> staged_id;   // when no record names it, as of the claim
  int attempts = 0;                       // claims so far, including the one that returned this
  std::optional<std::string> last_error;  // of the previous attempt
};

class DeleteJobs {
 public:
  virtual ~DeleteJobs() = default;

  // Claims up to `max` due jobs whose objects are in this store (or in no known store: records
  // deleted before they were durable), oldest first.
  virtual std::vector<DeleteJob> claim(StorageProvider provider, std::string_view bucket,
                                       std::size_t max) = 0;
  // Removes a job this owner still holds; false when the lease was lost.
  virtual bool complete(const DeleteJob& job) = 0;
  // Releases the lease and makes the job due again after `delay`, remembering `error`.
  virtual bool retry_later(const DeleteJob& job, std::chrono::milliseconds delay,
                           std::string_view error) = 0;
  // Makes due now the unleased jobs for this store that wait after a failed attempt (not those
  // waiting for a persist job's lease): the store answered again, so their backoff is over.
  // Returns how many.
  virtual std::size_t retry_failed_now(StorageProvider provider, std::string_view bucket) = 0;

  // Called when a persist job found its record gone before uploading anything: the removal that
  // waited for the job's lease is made due now. Returns whether one waited.
  virtual bool stop_waiting_for_persist(std::string_view record_id) = 0;
  // Called when a persist job of `record` ended without its outcome being recorded. If the record
  // was deleted meanwhile, the job may have uploaded objects after the deletion: the removal of the
  // record's objects is made due now (queued anew for `provider`/`bucket` when it already ran).
  // Returns whether the record was gone.
  virtual bool requeue_if_deleted(const Record& record, StorageProvider provider,
                                  std::string_view bucket) = 0;

  // Every object key a queued job has yet to remove (what a verify must not call an orphan).
  virtual std::vector<std::string> queued_object_keys() = 0;

  // Jobs still queued for these records (for every record when `record_ids` is empty).
  virtual std::int64_t count(const std::vector<std::string>& record_ids = {}) = 0;
  // When the next job for this store becomes claimable (due and unleased), ms since the epoch.
  virtual std::optional<std::int64_t> next_claimable_at(StorageProvider provider,
                                                        std::string_view bucket) = 0;
  // The queue's clock, ms since the epoch.
  virtual std::int64_t now() const = 0;
};

}  // namespace pindeck::catalog
