// SPDX-License-Identifier: Apache-2.0
#include "pipeline/worker_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "catalog_fixture.hpp"
#include "pindeck/error.hpp"
#include "process_stats.hpp"
#include "util/memory.hpp"

namespace pindeck::pipeline {
namespace {

using catalog::Job;

using namespace std::chrono_literals;
using pindeck::test::TempDir;

// The persist-job queue of a real catalog (a SQLite file, or a PostgreSQL database on the
// PostgreSQL run), seen by one owner, each call one of its transactions.
struct SharedQueue {
  explicit SharedQueue(const std::filesystem::path& path, std::chrono::milliseconds lease = 30s,
                       std::string owner = "pool")
      : catalog(pindeck::test::open_catalog(path)),
        jobs(catalog->persist_jobs(std::move(owner), lease)) {}

  // A pool whose jobs end when `run` returns.
  WorkerHooks hooks(std::function<void(const Job&)> run) {
    return started_hooks([run = std::move(run)](const Job& job, WorkerHooks::JobDone done) {
      run(job);
      done(JobOutcome::succeeded);
    });
  }
  WorkerHooks started_hooks(std::function<void(const Job&, WorkerHooks::JobDone)> start) {
    WorkerHooks h;
    h.claim = [this] { return claim(); };
    h.next_claimable_at = [this] { return jobs->next_claimable_at(); };
    h.now = util::system_now_ms;
    h.renew = [this](Job& job) { jobs->renew(job); };
    h.start = std::move(start);
    return h;
  }
  std::string enqueue_new(const std::string& title) {
    Record record;
    record.title = title;
    return jobs->insert_with_job(record).record.id;
  }
  std::optional<Job> claim() { return jobs->claim(); }
  bool complete(const Job& job) {
    return jobs->complete(job, [](Record&) { return true; });
  }
  std::int64_t queued() { return jobs->counts().queued; }

  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::PersistJobs> jobs;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

TEST(WorkerPool, RunsEveryJobOnceWithAtMostMaxInFlight) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  for (int i = 0; i < 12; ++i) shared.enqueue_new("rec-" + std::to_string(i));
  std::atomic<int> running{0}, peak{0};
  std::mutex done_mutex;
  std::multiset<std::string> done;
  WorkerOptions options;
  options.max_in_flight = 2;
  options.cpu_threads = 4;
  WorkerPool pool(options, shared.hooks([&](const Job& job) {
    const int now = ++running;
    int expected = peak.load();
    while (now > expected && !peak.compare_exchange_weak(expected, now)) {
    }
    std::this_thread::sleep_for(30ms);
    --running;
    ASSERT_TRUE(shared.complete(job));
    std::lock_guard lock(done_mutex);
    done.insert(job.record_id);
  }));
  ASSERT_TRUE(eventually([&] { return shared.queued() == 0; }));
  pool.stop();
  EXPECT_EQ(done.size(), 12u);
  EXPECT_EQ(std::set<std::string>(done.begin(), done.end()).size(), 12u);
  EXPECT_EQ(peak.load(), 2) << "the pool ran more (or fewer) jobs at once than allowed";
}

TEST(WorkerPool, CountsEveryClaimedJobOnceByHowItEnded) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  std::map<std::string, std::string> kind_of;  // record id -> what its job does
  for (const char* kind : {"succeed", "retry", "fail", "release", "throw", "hold"}) {
    kind_of[shared.enqueue_new(kind)] = kind;
  }
  std::mutex mutex;
  WorkerHooks::JobDone held;
  WorkerOptions options;
  options.max_in_flight = 6;
  WorkerPool pool(options, shared.started_hooks([&](const Job& job, WorkerHooks::JobDone done) {
    const std::string& kind = kind_of.at(job.record_id);
    if (kind == "throw") throw std::runtime_error("the job could not start");
    if (kind == "hold") {
      std::lock_guard lock(mutex);
      held = std::move(done);
      return;
    }
    if (kind == "succeed") {
      ASSERT_TRUE(shared.complete(job));
    }
    done(kind == "succeed" ? JobOutcome::succeeded
         : kind == "retry" ? JobOutcome::retried
         : kind == "fail"  ? JobOutcome::failed
                           : JobOutcome::released);
  }));
  const auto counts_are = [&](WorkerCounts expected) {
    const auto now = pool.counts();
    return now.claimed == expected.claimed && now.succeeded == expected.succeeded &&
           now.retried == expected.retried && now.failed == expected.failed &&
           now.released == expected.released && now.in_flight == expected.in_flight;
  };
  // The throwing start counts as released: the job is left to its lease.
  EXPECT_TRUE(eventually(
      [&] {
        return counts_are({6, 1, 1, 1, 2, 1});
      },
      10s))
      << "claimed " << pool.counts().claimed << ", in flight " << pool.counts().in_flight;
  EXPECT_EQ(pool.in_flight(), 1u);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return held != nullptr;
  }));
  {
    std::lock_guard lock(mutex);
    held(JobOutcome::succeeded);
  }
  EXPECT_TRUE(eventually([&] { return counts_are({6, 2, 1, 1, 2, 0}); }, 10s));
  pool.stop();
  EXPECT_TRUE(counts_are({6, 2, 1, 1, 2, 0})) << "a count changed after the pool stopped";
}

TEST(WorkerPool, WakePicksUpJobsQueuedAfterStart) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  WorkerOptions options;
  options.poll_interval = 60s;  // only wake() can start the job in time
  std::atomic<int> ran{0};
  WorkerPool pool(options, shared.hooks([&](const Job& job) {
    shared.complete(job);
    ++ran;
  }));
  std::this_thread::sleep_for(50ms);
  shared.enqueue_new("late");
  pool.wake();
  EXPECT_TRUE(eventually([&] { return ran == 1; }, 5s));
}

TEST(WorkerPool, LongJobsKeepTheirLeaseSoAnotherOwnerCannotTakeThem) {
  TempDir dir;
  const auto path = dir.path() / "catalog.sqlite";
  SharedQueue shared(path, 300ms);
  SharedQueue rival(path, 300ms, "rival");
  shared.enqueue_new("slow");
  WorkerOptions options;
  options.renew_interval = 50ms;
  std::atomic<bool> started{false}, finish{false};
  WorkerPool pool(options, shared.hooks([&](const Job& job) {
    started = true;
    while (!finish) std::this_thread::sleep_for(5ms);
    shared.complete(job);
  }));
  ASSERT_TRUE(eventually([&] { return started.load(); }, 5s));
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(100ms);
    ASSERT_FALSE(rival.claim()) << "a running job's lease lapsed";
  }
  finish = true;
  EXPECT_TRUE(eventually([&] { return shared.queued() == 0; }, 5s));
}

TEST(WorkerPool, StopWaitsForRunningJobs) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  shared.enqueue_new("a");
  std::atomic<bool> started{false}, completed{false};
  WorkerPool pool(WorkerOptions{}, shared.hooks([&](const Job& job) {
    started = true;
    std::this_thread::sleep_for(200ms);
    shared.complete(job);
    completed = true;
  }));
  ASSERT_TRUE(eventually([&] { return started.load(); }, 5s));
  pool.stop();
  EXPECT_TRUE(completed);
  EXPECT_EQ(pool.in_flight(), 0u);
}

// A pool of one CPU thread whose jobs end their CPU part at once and then stay "uploading" until
// the test ends them, as persist jobs do while the object store answers.
class UploadingJobs {
 public:
  UploadingJobs(int jobs, int max_uploading) : shared_(dir_.path() / "catalog.sqlite") {
    for (int i = 0; i < jobs; ++i) shared_.enqueue_new("rec-" + std::to_string(i));
    WorkerOptions options;
    options.max_in_flight = 1;
    options.max_uploading = max_uploading;
    options.cpu_threads = 1;
    pool_.emplace(options, shared_.started_hooks([this](const Job& job, WorkerHooks::JobDone done) {
      std::lock_guard lock(mutex_);
      uploading_.emplace_back(job, std::move(done));
    }));
  }
  // stop() waits for the jobs in flight, so their uploads are ended until it returns.
  ~UploadingJobs() {
    std::atomic<bool> stopped{false};
    std::jthread stopper([&] {
      pool_->stop();
      stopped = true;
    });
    while (!stopped) {
      for (std::size_t i = 0; i < started(); ++i) end(i);
      std::this_thread::sleep_for(10ms);
    }
  }
  std::size_t started() {
    std::lock_guard lock(mutex_);
    return uploading_.size();
  }
  // Ends the uploads of the i-th job started (once).
  void end(std::size_t i) {
    std::lock_guard lock(mutex_);
    auto& [job, done] = uploading_[i];
    if (!done) return;
    EXPECT_TRUE(shared_.complete(job)) << job.record_id;
    std::exchange(done, nullptr)(JobOutcome::succeeded);
  }
  WorkerPool& pool() { return *pool_; }
  std::int64_t queued() { return shared_.queued(); }

 private:
  TempDir dir_;
  SharedQueue shared_;
  std::mutex mutex_;
  std::vector<std::pair<Job, WorkerHooks::JobDone>> uploading_;
  std::optional<WorkerPool> pool_;
};

TEST(WorkerPool, JobsWaitingForTheirUploadsFreeTheCpuThreadUpToMaxUploading) {
  UploadingJobs jobs(5, 2);
  ASSERT_TRUE(eventually([&] { return jobs.started() == 3; }, 5s))
      << "the next images did not start on the only CPU thread while the first were uploading";
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(jobs.started(), 3u) << "more jobs were uploading than max_uploading allows";
  EXPECT_EQ(jobs.pool().in_flight(), 3u);
  jobs.end(0);
  ASSERT_TRUE(eventually([&] { return jobs.started() == 4; }, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(jobs.started(), 4u);
  jobs.end(1);
  jobs.end(2);
  ASSERT_TRUE(eventually([&] { return jobs.started() == 5; }, 5s));
  for (std::size_t i = 3; i < 5; ++i) jobs.end(i);
  ASSERT_TRUE(eventually([&] { return jobs.queued() == 0; }, 5s));
}

TEST(WorkerPool, WithNoRoomForUploadingEachJobEndsBeforeTheNextStarts) {
  UploadingJobs jobs(2, 0);
  ASSERT_TRUE(eventually([&] { return jobs.started() == 1; }, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(jobs.started(), 1u) << "a job started while the only one allowed was uploading";
  jobs.end(0);
  ASSERT_TRUE(eventually([&] { return jobs.started() == 2; }, 5s));
}

TEST(WorkerPool, RefusesANegativeMaxUploading) {
  WorkerOptions options;
  options.max_uploading = -1;
  try {
    WorkerPool pool(options, WorkerHooks{});
    FAIL() << "a negative max_uploading was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("max_uploading must not be negative"));
  }
}

// AddressSanitizer replaces malloc, so glibc's arenas are not used.
#if defined(__SANITIZE_ADDRESS__)
#define PINDECK_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PINDECK_TEST_ASAN 1
#endif
#endif

// The idle hook (the catalog releasing its page cache) runs once the pool has had nothing in flight
// for idle_release_delay, never while a job runs; what it throws reaches on_error.
TEST(WorkerPool, CallsTheIdleHookOnlyOnceIdle) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  shared.enqueue_new("first");
  std::atomic<bool> running{false};
  std::atomic<int> idle_calls{0};
  std::atomic<int> idle_while_running{0};
  std::atomic<int> errors{0};
  WorkerOptions options;
  options.idle_release_delay = 50ms;
  options.poll_interval = 20ms;
  auto hooks = shared.hooks([&](const Job& job) {
    running = true;
    std::this_thread::sleep_for(200ms);  // four idle delays: a hook while running would show
    running = false;
    shared.complete(job);
  });
  hooks.idle = [&] {
    if (running) ++idle_while_running;
    ++idle_calls;
    throw std::runtime_error("cache release failed");
  };
  hooks.on_error = [&](std::string_view message) {
    if (message.find("cache release failed") != std::string_view::npos) ++errors;
  };
  WorkerPool pool(options, std::move(hooks));
  ASSERT_TRUE(eventually([&] { return idle_calls.load() == 1; }));
  shared.enqueue_new("second");
  pool.wake();
  ASSERT_TRUE(eventually([&] { return idle_calls.load() == 2; }));
  std::this_thread::sleep_for(200ms);
  pool.stop();
  EXPECT_EQ(idle_calls, 2) << "the hook ran again without new work";
  EXPECT_EQ(idle_while_running, 0);
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(shared.queued(), 0);
}

// A burst's decode buffers are freed when its jobs end, but glibc keeps freed memory resident in
// the arena of the thread that allocated it unless the arena's top is free (and each CPU thread
// has an arena of its own). Once idle, the pool hands it back: RSS drops.
TEST(WorkerPool, HandsFreedHeapMemoryBackToTheOsOnceIdle) {
#if defined(PINDECK_TEST_ASAN) || !defined(__GLIBC__)
  GTEST_SKIP()
      << "about glibc's malloc arenas; this build's allocator is another (ASan or not glibc)";
#endif
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.sqlite");
  shared.enqueue_new("burst");
  constexpr std::size_t block = 64 << 10;  // under glibc's mmap threshold: from the arena
  constexpr std::size_t blocks = 1536;     // 96 MiB
  std::atomic<long> resident_after_job{0};
  char* pinned_top = nullptr;
  WorkerOptions options;
  options.cpu_threads = 1;
  options.idle_release_delay = 100ms;
  WorkerPool pool(options, shared.hooks([&](const Job& job) {
    std::vector<char*> held;
    for (std::size_t i = 0; i < blocks; ++i) {
      held.push_back(static_cast<char*>(std::malloc(block)));
      std::memset(held.back(), static_cast<int>(i), block);
    }
    pinned_top = held.back();  // the last block stays: free() cannot shrink the arena from its top
    held.pop_back();
    for (char* p : held) std::free(p);
    resident_after_job = pindeck::test::resident_kib();
    shared.complete(job);
  }));
  ASSERT_TRUE(eventually([&] { return resident_after_job.load() > 0 && pool.in_flight() == 0; }));
  const long freed_kib = static_cast<long>(block * (blocks - 1) / 1024);
  EXPECT_TRUE(eventually(
      [&] { return pindeck::test::resident_kib() < resident_after_job - freed_kib * 3 / 4; }, 5s))
      << "RSS stayed at " << pindeck::test::resident_kib() << " KiB after the pool went idle ("
      << resident_after_job << " KiB after the job freed " << freed_kib << " KiB)";
  pool.stop();
  std::free(pinned_top);
}

// Memory freed after the pool's first release (as libvips' idle worker threads free theirs when
// they end, about 15 s into the idle) is handed back by the late release; with the late release
// off it stays resident, so the drop is the pool's doing.
TEST(WorkerPool, HandsBackMemoryFreedAfterTheFirstReleaseLater) {
#if defined(PINDECK_TEST_ASAN) || !defined(__GLIBC__)
  GTEST_SKIP()
      << "about glibc's malloc arenas; this build's allocator is another (ASan or not glibc)";
#endif
  constexpr std::size_t block = 64 << 10;  // under glibc's mmap threshold: from the arena
  constexpr std::size_t blocks = 1536;     // 96 MiB
  const long freed_kib = static_cast<long>(block * (blocks - 1) / 1024);
  // Runs a pool with one job, frees 96 MiB under a live block once the pool's first release is
  // done, and returns the resident size then and the lowest seen within `watch` (which ends
  // early once most of it is handed back).
  const auto free_after_first_release = [&](std::chrono::milliseconds late,
                                            std::chrono::milliseconds watch) {
    TempDir dir;
    SharedQueue shared(dir.path() / "catalog.sqlite");
    shared.enqueue_new("job");
    std::vector<char*> held;
    for (std::size_t i = 0; i < blocks; ++i) {
      held.push_back(static_cast<char*>(std::malloc(block)));
      std::memset(held.back(), static_cast<int>(i), block);
    }
    std::atomic<bool> first_release_done{false};
    WorkerOptions options;
    options.cpu_threads = 1;
    options.idle_release_delay = 50ms;
    options.late_release_delay = late;
    auto hooks = shared.hooks([&](const Job& job) { shared.complete(job); });
    hooks.idle = [&] { first_release_done = true; };
    WorkerPool pool(options, std::move(hooks));
    EXPECT_TRUE(eventually([&] { return first_release_done.load(); }));
    std::this_thread::sleep_for(20ms);  // the trim after the hook
    char* pinned_top = held.back();     // stays: free() cannot shrink the arena from its top
    held.pop_back();
    for (char* p : held) std::free(p);
    const long after_free = pindeck::test::resident_kib();
    long lowest = after_free;
    const auto until = std::chrono::steady_clock::now() + watch;
    while (std::chrono::steady_clock::now() < until && lowest > after_free - freed_kib * 3 / 4) {
      lowest = std::min(lowest, pindeck::test::resident_kib());
      std::this_thread::sleep_for(20ms);
    }
    pool.stop();
    std::free(pinned_top);
    util::release_free_heap_memory();
    return std::pair{after_free, lowest};
  };

  const auto [kept_after_free, kept_lowest] = free_after_first_release(0ms, 1s);
  EXPECT_GT(kept_lowest, kept_after_free - freed_kib / 4) << "without a late release";
  const auto [after_free, lowest] = free_after_first_release(400ms, 4s);
  EXPECT_LT(lowest, after_free - freed_kib * 3 / 4)
      << "RSS stayed at " << lowest << " KiB after the late release (" << after_free
      << " KiB after freeing " << freed_kib << " KiB)";
}

}  // namespace
}  // namespace pindeck::pipeline
