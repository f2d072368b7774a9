// The persistence engine (DESIGN §6): ingest stages the bytes and records the image and its job in
// one transaction; background workers derive, sample the palette, upload everything and commit the
// result; failures are retried or end `failed` with the staged copy kept; backfill reschedules.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pindeck/persistence.hpp"
#include "pindeck/record.hpp"
#include "pipeline/job_queue.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/retry_policy.hpp"
#include "pipeline/worker_pool.hpp"
#include "staging/store.hpp"

namespace pindeck::catalog {
class Catalog;
}

namespace pindeck::pipeline {

// Where an upload's bytes come from; `file_name` (if any) names the image when it has no title.
struct UploadSource {
  std::optional<std::filesystem::path> path;
  std::span<const std::byte> bytes;
  staging::ReadChunk reader;  // used when neither path nor bytes is set
  std::optional<std::string> file_name;
};

class Persistence {
 public:
  // `catalog` must outlive this. Workers start at once unless `start_workers` is false (tests
  // that want to look at queued jobs).
  Persistence(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
              std::unique_ptr<ObjectStore> store, PersistenceConfig config,
              bool start_workers = true);
  // Stops the workers; jobs in progress finish first.
  ~Persistence();

  // Stages the bytes, checks they are an image (refusing empty files, non-images and bombs),
  // then inserts the record (storageProvider=convex, storagePersistStatus=pending, storageId,
  // object keys fixed from uploadedAt) and its job in one transaction. Returns the record.
  Record ingest(const UploadSource& source, Record metadata);

  // Requeues up to `limit` (1..200) records with sourceType=upload, storageProvider=convex and
  // a storageId; returns how many.
  int backfill(int limit = 50);

  // Waits until the record is no longer pending (or `timeout` passes) and returns it as it is.
  Record wait_settled(std::string_view id, std::chrono::milliseconds timeout);

  // Deletes staged copies that no record names and that were written more than `min_age` ago:
  // what a crash leaves between staging and the ingest transaction, or between the success
  // commit and the deletion; and temporaries of interrupted staging writes. Younger ones may belong
  // to an ingest in progress in another process. Returns how many were deleted. The workers run it
  // when they start.
  int sweep_orphaned_staging(std::chrono::milliseconds min_age);

  // Runs one claimed job to its end: success, retry later, or failure. Never throws for a
  // failure of the job itself.
  void run_job(const Job& job);

  // Called after every job run with the record id and how the run ended (succeeded, pending =
  // will be retried, failed; or nothing when the job was dropped or taken over), on the worker
  // thread. For progress displays and tests; set it before work starts.
  using JobObserver =
      std::function<void(const std::string& record_id, std::optional<PersistStatus>)>;
  void set_job_observer(JobObserver observer);

  ObjectStore& object_store() { return *store_; }
  staging::Store& staging_store() { return staging_; }
  const JobQueue& queue() const { return queue_; }
  JobCounts job_counts();
  // Starts the workers if they are not running.
  void start_workers();
  // Stops the workers (idempotent); ingest and backfill still queue jobs.
  void stop_workers();

 private:
  void commit_success(const Job& job, const Record& persisted);
  void commit_failure(const Job& job, FailureKind kind, const std::string& message);
  void notify_settled(const std::string& record_id, std::optional<PersistStatus> outcome);

  catalog::Catalog& catalog_;
  staging::Store staging_;
  std::unique_ptr<ObjectStore> store_;
  PersistenceConfig config_;
  JobQueue queue_;
  RetrySchedule retry_;
  std::mutex settled_mutex_;
  JobObserver observer_;
  std::condition_variable settled_cv_;
  std::unique_ptr<WorkerPool> workers_;
};

// A process-unique owner name for job leases: host, pid and a random suffix.
std::string make_lease_owner();

}  // namespace pindeck::pipeline
