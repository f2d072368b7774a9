// SPDX-License-Identifier: Apache-2.0
// Carries out the catalog's delete jobs (DESIGN §6.8) for one object store: removes the objects
// of deleted records (in batches: S3 DeleteObjects) and their staged copies, then ends each job.
// A job whose objects could not all be removed is retried later with backoff, for as long as it
// takes: the removal never gives up, and a job never removes what a record still names (the
// catalog checks that when it hands a job out). The backoff ends early when the store is seen
// answering again (store_answered()), so removals do not lag minutes behind an outage.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "catalog/delete_jobs.hpp"
#include "pipeline/object_store.hpp"
#include "staging/store.hpp"

namespace pindeck::pipeline {

class Deleter {
 public:
  // All three must outlive this.
  Deleter(catalog::DeleteJobs& jobs, ObjectStore& store, staging::Store& staging);
  // stop()
  ~Deleter();
  Deleter(const Deleter&) = delete;
  Deleter& operator=(const Deleter&) = delete;

  // Runs every job due now for this store, on the calling thread; returns how many ended (the
  // rest wait for a retry). Throws only when the catalog cannot be read or written.
  std::size_t run_due();

  // Runs due jobs on a thread of its own as they come due, looking at least every `poll` for jobs
  // other processes queued. `on_error` (may be empty) hears of failures of the catalog.
  void start(std::chrono::milliseconds poll, std::function<void(std::string_view)> on_error = {});
  // Makes the thread look for due jobs now.
  void wake();
  // Stops the thread (a batch in progress finishes). Idempotent.
  void stop();
  // Tells the deleter that the store just answered a request (an upload succeeded): jobs backing
  // off after a failure become due now and the thread looks at once. Cheap when none backs off,
  // so it can be called after every success. Throws only when the catalog cannot be written.
  void store_answered();

  // How long a job waits after its `attempts`-th failed attempt: 1 s doubling to 1 min.
  static std::chrono::milliseconds retry_delay(int attempts);

 private:
  void loop(std::chrono::milliseconds poll);

  catalog::DeleteJobs& jobs_;
  ObjectStore& store_;
  staging::Store& staging_;
  std::function<void(std::string_view)> on_error_;
  // Set when a pass left a job backing off; store_answered() clears it.
  std::atomic<bool> backing_off_{false};

  std::mutex run_mutex_;  // held for a whole run_due pass
  std::mutex mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pindeck::pipeline
