// SPDX-License-Identifier: Apache-2.0
// The persistence engine (DESIGN §6): ingest stages the bytes and records the image and its job in
// one transaction; background workers derive, sample the palette, upload everything and commit the
// result; failures are retried or end `failed` with the staged copy kept; backfill reschedules.
//
// Threads: the workers' CPU threads only derive and sample; uploads run on the object store's own
// threads (the S3 client's event loop); the engine's event thread commits outcomes to the catalog
// and runs the timers of waits for records to settle.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "catalog/catalog.hpp"
#include "pindeck/persistence.hpp"
#include "pindeck/record.hpp"
#include "pipeline/deleter.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/persistence_events.hpp"
#include "pipeline/retry_policy.hpp"
#include "pipeline/settled_waiters.hpp"
#include "pipeline/worker_pool.hpp"
#include "staging/store.hpp"

namespace pindeck::pipeline {

// Where an upload's bytes come from; `file_name` (if any) names the image when it has no title.
struct UploadSource {
  std::optional<std::filesystem::path> path;
  std::span<const std::byte> bytes;
  staging::ReadChunk reader;  // used when neither path nor bytes is set
  // Bytes a source already wrote to the first-stage store (a fetched URL): ingest takes them over
  // and removes them when it refuses them or the record already exists. Used before the others.
  std::optional<staging::StagedObject> staged;
  std::optional<std::string> file_name;
};

class Persistence {
 public:
  // `catalog` must outlive this. Nothing here reaches the object store (the workers check it
  // before their first upload). Workers start at once unless `start_workers` is false (tests that
  // want to look at queued jobs). `events` (which must outlive this, when given) receives the
  // records' status changes and the uploads of their objects.
  Persistence(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
              std::unique_ptr<ObjectStore> store, PersistenceConfig config,
              bool start_workers = true, PersistenceEvents* events = nullptr);
  // close(), then stops the event thread.
  ~Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Stages the bytes, checks they are an image (refusing empty files, non-images and bombs),
  // then inserts the record (storageProvider=convex, storagePersistStatus=pending, storageId,
  // object keys fixed from uploadedAt) and its job in one transaction. Returns the record.
  Record ingest(const UploadSource& source, Record metadata);
  // The same, saying whether the record was created: created is false when a record with the same
  // externalId or generationArtifactKey was already stored (it is returned, and the new bytes are
  // dropped).
  CreateResult ingest_once(const UploadSource& source, Record metadata);

  // Requeues up to `limit` (1..200) records with storageProvider=convex and a storageId, any
  // sourceType, in the order PersistJobs::requeue_awaiting_backfill gives (permanent failures
  // only with `include_permanent`), announcing each as pending to subscribers; returns how many.
  int backfill(int limit = 50, bool include_permanent = false);

  // Completes `done` when the record is no longer pending, or with the record still pending once
  // `timeout` has passed; with Errc::not_found when it does not exist and Errc::closed when the
  // engine closes first. Holds no thread while it waits; `done` runs on the event thread and
  // must not block.
  void async_wait_settled(std::string id, std::chrono::milliseconds timeout,
                          SettledWaiters::Done done);
  // The blocking form (never from `done` of an asynchronous call).
  Record wait_settled(std::string_view id, std::chrono::milliseconds timeout);

  // Deletes staged copies that no record names and that were written more than `min_age` ago:
  // what a crash leaves between staging and the ingest transaction, or between the success
  // commit and the deletion; and temporaries of interrupted staging writes. Younger ones may belong
  // to an ingest in progress in another process. Returns how many were deleted. The workers run it
  // when they start.
  int sweep_orphaned_staging(std::chrono::milliseconds min_age);

  // Runs the CPU part of a claimed job (derivatives, palette) on the calling thread, hands the
  // uploads to the object store and returns; `done` runs once the job's outcome (success, retry
  // later, or failure) is committed, told which, or that the job was released (nothing left to do,
  // or its outcome not taken). Never throws for a failure of the job itself.
  void start_job(const catalog::Job& job, WorkerHooks::JobDone done);
  // start_job, waiting until the outcome is committed.
  void run_job(const catalog::Job& job);

  // Called after every job run with the record id and how the run ended, on the event thread. For
  // progress displays and tests; set it before work starts.
  using JobObserver = std::function<void(const std::string& record_id, JobOutcome)>;
  void set_job_observer(JobObserver observer);

  // Carries out the catalog's delete jobs for this engine's store; its thread runs while the
  // workers do.
  Deleter& deleter() { return *deleter_; }
  catalog::DeleteJobs& delete_jobs() { return *delete_jobs_; }

  ObjectStore& object_store() { return *store_; }
  const PersistenceConfig& config() const { return config_; }
  staging::Store& staging_store() { return staging_; }
  catalog::PersistJobs& jobs() { return *jobs_; }
  catalog::JobCounts job_counts() { return jobs_->counts(); }
  // What the workers did since they started (all zero before).
  WorkerCounts worker_counts() const { return workers_ ? workers_->counts() : WorkerCounts{}; }
  // Starts the workers (and the deleter's thread) if they are not running.
  void start_workers();
  // Stops the workers and the deleter's thread (idempotent); ingest and backfill still queue jobs.
  void stop_workers();
  // Completes every wait with Errc::closed, then stops the workers (jobs in progress finish).
  // Idempotent.
  void close();

 private:
  struct JobRun;
  void start_uploads(const std::shared_ptr<JobRun>& run);
  void finish_job(const std::shared_ptr<JobRun>& run);
  // Each returns how the job ended: released when the catalog took no outcome.
  JobOutcome commit_success(const catalog::Job& job, const Record& persisted);
  JobOutcome commit_failure(const catalog::Job& job, FailureKind kind, const std::string& message);
  // After a job whose outcome was not recorded: if its record was deleted meanwhile, what the job
  // uploaded must go too.
  void clean_up_if_deleted(const Record& record);
  void notify_settled(const std::string& record_id, JobOutcome outcome);
  // Tells the subscribers (if any) that the record settled, with the record as now stored.
  void announce_settled(const std::string& record_id);

  catalog::Catalog& catalog_;
  staging::Store staging_;
  std::unique_ptr<ObjectStore> store_;
  PersistenceConfig config_;
  std::unique_ptr<catalog::PersistJobs> jobs_;
  RetrySchedule retry_;

  boost::asio::io_context events_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> events_work_{
      events_.get_executor()};
  std::thread events_thread_;
  SettledWaiters waiters_;
  // Wakes waits for records that workers of other hosts settle (nullptr on SQLite, where the
  // waiters' poll does); ended before the waiters close.
  std::unique_ptr<catalog::SettledWatch> settled_watch_;

  PersistenceEvents* event_hub_;

  std::mutex observer_mutex_;
  JobObserver observer_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<catalog::DeleteJobs> delete_jobs_;
  std::unique_ptr<Deleter> deleter_;
};

// A process-unique owner name for job leases: host, pid and a random suffix.
std::string make_lease_owner();

}  // namespace pindeck::pipeline
