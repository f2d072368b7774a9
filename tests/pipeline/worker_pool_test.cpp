#include "pipeline/worker_pool.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "../staging/temp_dir.hpp"
#include "pipeline/sqlite_statement.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::testing::TempDir;

// A queue on a real SQLite file, shared by the pool's threads under one mutex (as the catalog
// does with its connection).
struct SharedQueue {
  explicit SharedQueue(const std::filesystem::path& path, std::chrono::milliseconds lease = 30s,
                       std::string owner = "pool") {
    sqlite3_open(path.c_str(), &db);
    sqlite3_busy_timeout(db, 10000);
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, JobQueue::schema_sql());
    queue = std::make_unique<JobQueue>(db, owner, lease);
  }
  ~SharedQueue() {
    queue.reset();
    sqlite3_close(db);
  }
  WorkerHooks hooks(std::function<void(const Job&)> run) {
    WorkerHooks h;
    h.claim = [this] {
      std::lock_guard lock(mutex);
      return queue->claim();
    };
    h.next_claimable_at = [this] {
      std::lock_guard lock(mutex);
      return queue->next_claimable_at();
    };
    h.now = system_now_ms;
    h.renew = [this](Job& job) {
      std::lock_guard lock(mutex);
      queue->renew(job);
    };
    h.run = std::move(run);
    return h;
  }
  void enqueue(const std::string& id) {
    std::lock_guard lock(mutex);
    queue->enqueue(id);
  }
  bool complete(const Job& job) {
    std::lock_guard lock(mutex);
    return queue->complete(job);
  }
  std::int64_t queued() {
    std::lock_guard lock(mutex);
    return queue->counts().queued;
  }

  sqlite3* db = nullptr;
  std::mutex mutex;
  std::unique_ptr<JobQueue> queue;
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
  SharedQueue shared(dir.path() / "catalog.db");
  for (int i = 0; i < 12; ++i) shared.enqueue("rec-" + std::to_string(i));
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

TEST(WorkerPool, WakePicksUpJobsQueuedAfterStart) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.db");
  WorkerOptions options;
  options.poll_interval = 60s;  // only wake() can start the job in time
  std::atomic<int> ran{0};
  WorkerPool pool(options, shared.hooks([&](const Job& job) {
    shared.complete(job);
    ++ran;
  }));
  std::this_thread::sleep_for(50ms);
  shared.enqueue("late");
  pool.wake();
  EXPECT_TRUE(eventually([&] { return ran == 1; }, 5s));
}

TEST(WorkerPool, LongJobsKeepTheirLeaseSoAnotherOwnerCannotTakeThem) {
  TempDir dir;
  const auto path = dir.path() / "catalog.db";
  SharedQueue shared(path, 300ms);
  SharedQueue rival(path, 300ms, "rival");
  shared.enqueue("slow");
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
    std::lock_guard lock(rival.mutex);
    ASSERT_FALSE(rival.queue->claim()) << "a running job's lease lapsed";
  }
  finish = true;
  EXPECT_TRUE(eventually([&] { return shared.queued() == 0; }, 5s));
}

TEST(WorkerPool, StopWaitsForRunningJobs) {
  TempDir dir;
  SharedQueue shared(dir.path() / "catalog.db");
  shared.enqueue("a");
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

}  // namespace
}  // namespace pindeck::pipeline
