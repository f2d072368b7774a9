// SPDX-License-Identifier: Apache-2.0
// What the persistence pipeline asks of the catalog (DESIGN §6): a durable queue of persist jobs,
// each belonging to one record, changed together with that record. Every method is one
// transaction, so a record and its job never disagree, whatever the backend.
//
// A job is claimed with a lease (owner and expiry): two processes never hold the same job, and a
// job whose holder died becomes claimable again when the lease expires. The lease owner and length
// are fixed when the PersistJobs is made (Catalog::persist_jobs).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "pindeck/query.hpp"
#include "pindeck/record.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

// How a job that gave up failed, which decides what a backfill does with it (DESIGN §6.4).
enum class FailureKind {
  transient,      // may heal by itself (network, 5xx, disk full): backfilled first
  permanent,      // cannot heal (undecodable image, a refusal for good): backfilled only on request
  configuration,  // the host's settings are wrong (credentials, no such bucket): not retried per
                  // job; backfilled like transient ones once the host has fixed its settings
};

struct Job {
  std::string record_id;
  int attempts = 0;  // claims so far, including the one that returned this
  std::string lease_owner;
  std::int64_t lease_expires_at = 0;  // ms since epoch
  std::optional<std::string> last_error;
  std::optional<FailureKind> failure;  // set while the job is failed
};

// The queue at one moment, every host's jobs when the catalog is shared.
struct JobCounts {
  std::int64_t queued = 0;  // waiting, leased or waiting for a retry
  std::int64_t failed = 0;  // gave up; only a backfill requeues them
  // Of the queued: claimed by a worker whose lease still holds, and (not leased) waiting for the
  // time of their next attempt.
  std::int64_t leased = 0;
  std::int64_t retry_later = 0;
  // The queued per first-stage store holding their bytes (its site id; "" for jobs queued with
  // none, which any worker may take).
  std::map<std::string, std::int64_t> queued_by_site;

  // Adds the counts of one site's jobs (a row of the backends' query).
  void add_site(const std::string& site, std::int64_t site_queued, std::int64_t site_failed,
                std::int64_t site_leased, std::int64_t site_retry_later) {
    queued += site_queued;
    failed += site_failed;
    leased += site_leased;
    retry_later += site_retry_later;
    if (site_queued > 0) queued_by_site[site] += site_queued;
  }
};

// Changes a stored record as a job ends; returns false to change nothing at all (the record is no
// longer the one the job worked on).
using RecordEdit = std::function<bool(Record&)>;

class PersistJobs {
 public:
  virtual ~PersistJobs() = default;

  // Inserts the record (validated; id and uniqueId assigned as Catalog::insert does) and, when it
  // was created rather than found under its externalId or generationArtifactKey, queues its job.
  virtual CreateResult insert_with_job(Record record) = 0;

  // Requeues up to `limit` records not yet durable (any sourceType, storageProvider convex, a
  // storageId, no job waiting), marking them pending. Records whose job failed for good
  // (FailureKind::permanent) are left out unless `include_permanent`, and then come last; the
  // others come first, those a backfill requeued least recently (or never) first, then oldest
  // first; so repeated backfills go round every record that may heal. Returns the records
  // requeued, as stored (pending), in that order.
  virtual std::vector<Record> requeue_awaiting_backfill(int limit, bool include_permanent) = 0;

  // Every storageId a record still names: staged copies that must not be deleted.
  virtual std::set<std::string> staged_ids_in_use() = 0;

  // Claims the due job that has waited longest; its attempts go up by one (a crash counts as an
  // attempt, so an image that kills its worker cannot loop forever).
  virtual std::optional<Job> claim() = 0;
  // Extends this owner's lease; false when it was lost to another owner.
  virtual bool renew(Job& job) = 0;

  // Each of these ends or defers a job this owner still holds, applying `edit` to its record (if
  // it still exists) in the same transaction. They return false, and change nothing, when the lease
  // was lost (another owner is redoing the job) or `edit` declined; `complete` and `retry_later`
  // also return false when the record is gone.
  virtual bool complete(const Job& job, const RecordEdit& edit) = 0;
  virtual bool retry_later(const Job& job, std::chrono::milliseconds delay, std::string_view error,
                           const RecordEdit& edit) = 0;
  virtual bool fail(const Job& job, std::string_view error, FailureKind kind,
                    const RecordEdit& edit) = 0;
  // Removes a job whose record is gone or already durable.
  virtual void drop(const Job& job) = 0;

  virtual std::optional<Job> find(std::string_view record_id) = 0;
  virtual JobCounts counts() = 0;
  // When the next queued job becomes claimable (due and unleased), in ms since the epoch.
  virtual std::optional<std::int64_t> next_claimable_at() = 0;

  virtual const std::string& owner() const = 0;
  // The queue's clock, ms since the epoch.
  virtual std::int64_t now() const = 0;
};

}  // namespace pindeck::catalog
