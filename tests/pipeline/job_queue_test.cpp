#include "pipeline/job_queue.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "../staging/temp_dir.hpp"
#include "pindeck/error.hpp"
#include "pipeline/sqlite_statement.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::testing::TempDir;

struct Database {
  explicit Database(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open failed");
    sqlite3_busy_timeout(db, 10000);
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, JobQueue::schema_sql());
  }
  ~Database() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

struct FakeClock {
  std::int64_t now = 1'700'000'000'000;
  Clock clock() {
    return [this] { return now; };
  }
};

TEST(JobQueue, ClaimTakesTheOldestDueJobOnceAndCountsTheAttempt) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  FakeClock time;
  JobQueue queue(db.db, "worker-a", 30s, time.clock());
  queue.enqueue("rec-1");
  time.now += 1;
  queue.enqueue("rec-2");

  auto first = queue.claim();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->record_id, "rec-1");
  EXPECT_EQ(first->attempts, 1);
  EXPECT_EQ(first->lease_owner, "worker-a");
  EXPECT_EQ(first->lease_expires_at, time.now + 30000);
  auto second = queue.claim();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->record_id, "rec-2");
  EXPECT_FALSE(queue.claim()) << "a leased job was handed out twice";
  EXPECT_EQ(queue.counts().queued, 2);
}

TEST(JobQueue, AnExpiredLeaseIsClaimedAgainAndTheOldHolderCannotComplete) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  FakeClock time;
  JobQueue crashed(db.db, "worker-crashed", 10s, time.clock());
  JobQueue survivor(db.db, "worker-new", 10s, time.clock());
  crashed.enqueue("rec-1");
  auto lost = crashed.claim();
  ASSERT_TRUE(lost);

  time.now += 9999;
  EXPECT_FALSE(survivor.claim());
  time.now += 1;
  auto taken = survivor.claim();
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->record_id, "rec-1");
  EXPECT_EQ(taken->attempts, 2);

  EXPECT_FALSE(crashed.renew(*lost));
  EXPECT_FALSE(crashed.complete(*lost));
  EXPECT_TRUE(survivor.complete(*taken));
  EXPECT_FALSE(survivor.find("rec-1"));
}

TEST(JobQueue, RenewingKeepsTheLeaseAlive) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  FakeClock time;
  JobQueue a(db.db, "a", 10s, time.clock());
  JobQueue b(db.db, "b", 10s, time.clock());
  a.enqueue("rec-1");
  auto job = a.claim();
  for (int i = 0; i < 5; ++i) {
    time.now += 8000;
    ASSERT_TRUE(a.renew(*job));
    EXPECT_FALSE(b.claim());
  }
  EXPECT_EQ(job->lease_expires_at, time.now + 10000);
}

TEST(JobQueue, RetryLaterWaitsTheDelayAndKeepsTheError) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  FakeClock time;
  JobQueue queue(db.db, "a", 10s, time.clock());
  queue.enqueue("rec-1");
  auto job = queue.claim();
  ASSERT_TRUE(queue.retry_later(*job, 2000ms, "PutObject: connection refused"));
  EXPECT_EQ(queue.next_claimable_at(), time.now + 2000);
  time.now += 1999;
  EXPECT_FALSE(queue.claim());
  time.now += 1;
  auto again = queue.claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->last_error, "PutObject: connection refused");
}

TEST(JobQueue, FailedJobsStayUntilRequeuedWithFreshAttempts) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  FakeClock time;
  JobQueue queue(db.db, "a", 10s, time.clock());
  queue.enqueue("rec-1");
  auto job = queue.claim();
  ASSERT_TRUE(queue.fail(*job, "undecodable"));
  EXPECT_EQ(queue.counts().failed, 1);
  EXPECT_EQ(queue.counts().queued, 0);
  time.now += 3600'000;
  EXPECT_FALSE(queue.claim());
  EXPECT_EQ(queue.next_claimable_at(), std::nullopt);

  queue.enqueue("rec-1");
  auto again = queue.claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
}

TEST(JobQueue, EnqueueJoinsTheCallersTransaction) {
  TempDir dir;
  Database db(dir.path() / "catalog.db");
  JobQueue queue(db.db, "a", 10s);
  {
    ImmediateTransaction tx(db.db);
    queue.enqueue("rec-rolled-back");
  }
  EXPECT_FALSE(queue.find("rec-rolled-back"));
  {
    ImmediateTransaction tx(db.db);
    queue.enqueue("rec-kept");
    tx.commit();
  }
  EXPECT_TRUE(queue.find("rec-kept"));
}

// Several processes on one database file drain a queue together; each job must be claimed by
// exactly one of them.
TEST(JobQueue, ProcessesSharingTheDatabaseNeverClaimTheSameJob) {
  TempDir dir;
  const auto path = dir.path() / "catalog.db";
  constexpr int jobs = 200;
  constexpr int processes = 4;
  {
    Database db(path);
    JobQueue queue(db.db, "setup", 60s);
    ImmediateTransaction tx(db.db);
    for (int i = 0; i < jobs; ++i) queue.enqueue("rec-" + std::to_string(i));
    tx.commit();
  }
  // The children start together (when the parent closes the pipe) and each job takes a moment,
  // so they really compete.
  int start_gate[2];
  ASSERT_EQ(pipe(start_gate), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      close(start_gate[1]);
      char byte;
      while (read(start_gate[0], &byte, 1) > 0) {
      }
      try {
        Database db(path);
        JobQueue queue(db.db, "proc-" + std::to_string(p), 60s);
        std::ofstream log(dir.path() / ("claimed-" + std::to_string(p)));
        while (auto job = queue.claim()) {
          log << job->record_id << '\n' << std::flush;
          usleep(1000);
          if (!queue.complete(*job)) status = 2;
        }
      } catch (...) {
        status = 3;
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  close(start_gate[0]);
  close(start_gate[1]);
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  std::multiset<std::string> claimed;
  int busy_processes = 0;
  for (int p = 0; p < processes; ++p) {
    std::ifstream log(dir.path() / ("claimed-" + std::to_string(p)));
    std::string id;
    int mine = 0;
    while (std::getline(log, id)) {
      claimed.insert(id);
      ++mine;
    }
    busy_processes += mine > 0;
  }
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(),
            static_cast<std::size_t>(jobs))
      << "some job was claimed twice";
  EXPECT_GE(busy_processes, 2);
}

}  // namespace
}  // namespace pindeck::pipeline
