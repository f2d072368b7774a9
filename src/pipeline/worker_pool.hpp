// SPDX-License-Identifier: Apache-2.0
// Runs persist jobs in the background on Boost.Asio: one scheduler thread claims due jobs, starts
// each on a pool of CPU threads sized to the machine, and renews the leases of running jobs so no
// other process takes them over. At most `max_in_flight` jobs are in their CPU part at a time
// (decoded images are what fill memory); a job whose CPU part has returned, its uploads handed
// over, leaves room for the next one to start decoding, and stays in flight until it reports that
// it has ended, up to `max_uploading` more of them (so a slow object store does not leave the
// cores idle). The scheduler sleeps until the next job is due, a poll interval passes (another
// process may have queued work) or wake() is called.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "catalog/persist_jobs.hpp"
#include "pindeck/persistence.hpp"
#include "util/clock.hpp"

namespace pindeck::pipeline {

struct WorkerOptions {
  int max_in_flight = 2;  // jobs in their CPU part at once
  int max_uploading = 8;  // jobs past their CPU part, still waiting for their uploads
  int cpu_threads = 0;    // 0: one per core
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds renew_interval{10000};  // well under the queue's lease
  // Once no job has been in flight for this long, the pool calls the `idle` hook and hands the
  // heap memory the jobs freed back to the OS (util::release_free_heap_memory), so a host's
  // resident size returns to its idle level after a burst of images (DESIGN §6).
  std::chrono::milliseconds idle_release_delay{1000};
  // Once idle this long, the pool hands freed heap memory back once more (without the hook):
  // libvips' idle worker threads end about 15 s after their last task (GLib's thread pool), and
  // what they still held goes back to malloc only then. Not later than idle_release_delay: none.
  std::chrono::milliseconds late_release_delay{30000};
};

// How a started job ended, as its `start` hook tells the pool (WorkerCounts says what each means).
enum class JobOutcome { succeeded, retried, failed, released };

// How the pool reaches the queue and does the work; every hook may be called from any thread
// but never concurrently with itself for the same job.
struct WorkerHooks {
  using Job = catalog::Job;
  // Tells the pool that a started job has ended, and how; call it exactly once, from any thread.
  using JobDone = std::function<void(JobOutcome)>;

  std::function<std::optional<Job>()> claim;
  std::function<std::optional<std::int64_t>()> next_claimable_at;  // ms since epoch
  util::Clock now;
  std::function<void(Job&)> renew;
  // Starts the job on a CPU thread; the job records its outcome (success, retry or failure)
  // itself and then calls `done`. What `start` throws is reported to `on_error`, the job is left
  // to its lease (the pool counts it released), and `done` must not be called.
  std::function<void(const Job&, JobDone done)> start;
  std::function<void(std::string_view)> on_error;  // may be empty
  // Frees caches kept for speed once the pool is idle (see idle_release_delay); may be empty.
  // What it throws is reported to `on_error`.
  std::function<void()> idle;
};

class WorkerPool {
 public:
  WorkerPool(WorkerOptions options, WorkerHooks hooks);
  // Stops the pool, waiting for running jobs.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Looks for work now (call after queueing a job).
  void wake();
  // Stops claiming, waits for running jobs to end, and joins the threads. Idempotent.
  void stop();
  // Jobs running right now.
  std::size_t in_flight() const;
  // The jobs this pool claimed since it started, and how those that ended ended.
  WorkerCounts counts() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pindeck::pipeline
