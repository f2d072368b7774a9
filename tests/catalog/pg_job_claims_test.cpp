// SPDX-License-Identifier: Apache-2.0
// Claims from the PostgreSQL job queue by many claimers at once, each on a connection of its own as
// processes on separate hosts would be: every job goes to exactly one of them, and no claimer waits
// for another (FOR UPDATE SKIP LOCKED).
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "catalog/postgres/postgres_catalog.hpp"
#include "pg_test_env.hpp"
#include "temp_dir.hpp"

namespace pindeck::catalog::postgres {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

struct PgJobClaimsTest : ::testing::Test {
  TempDir dir;
  std::string url = test::pg_database_for(dir.path());
  std::unique_ptr<PostgresCatalog> catalog = PostgresCatalog::open(url);

  // Inserts `count` records, each with its persist job; returns their ids.
  std::set<std::string> queue_records(int count) {
    auto jobs = catalog->persist_jobs("setup", 60s);
    std::set<std::string> ids;
    for (int i = 0; i < count; ++i) {
      Record record;
      record.title = std::string("r").append(std::to_string(i));
      ids.insert(jobs->insert_with_job(record).record.id);
    }
    return ids;
  }
};

TEST_F(PgJobClaimsTest, ClaimersOnSeparateConnectionsTakeEveryJobExactlyOnce) {
  constexpr int job_count = 200;
  constexpr int claimers = 4;
  const auto queued = queue_records(job_count);
  ASSERT_EQ(queued.size(), static_cast<std::size_t>(job_count));

  std::vector<std::vector<std::string>> claimed(claimers);
  std::vector<int> lost_leases(claimers, 0);
  std::latch start(claimers);
  std::vector<std::thread> threads;
  for (int c = 0; c < claimers; ++c) {
    threads.emplace_back([&, c] {
      auto own = PostgresCatalog::open(url);
      auto jobs = own->persist_jobs("claimer-" + std::to_string(c), 60s);
      start.arrive_and_wait();
      while (auto job = jobs->claim()) {
        claimed[c].push_back(job->record_id);
        // Each job takes a moment, so the claimers really compete.
        std::this_thread::sleep_for(1ms);
        if (!jobs->complete(*job, [](Record&) { return true; })) ++lost_leases[c];
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::map<std::string, int> claims_per_job;
  int busy_claimers = 0;
  for (int c = 0; c < claimers; ++c) {
    EXPECT_EQ(lost_leases[c], 0) << "claimer " << c << " lost a lease it held";
    for (const auto& id : claimed[c]) ++claims_per_job[id];
    busy_claimers += !claimed[c].empty();
  }
  EXPECT_EQ(claims_per_job.size(), queued.size()) << "some job was never claimed";
  for (const auto& [id, claims] : claims_per_job) {
    EXPECT_TRUE(queued.contains(id)) << id << " is no queued record";
    EXPECT_EQ(claims, 1) << id << " was claimed " << claims << " times";
  }
  EXPECT_GE(busy_claimers, 2) << "one claimer took every job: they did not run side by side";
  const auto left = catalog->persist_jobs("check", 60s)->counts();
  EXPECT_EQ(left.queued, 0);
  EXPECT_EQ(left.failed, 0);
}

// A claim that has not committed yet keeps its job's row locked. Another claimer must pass over
// it at once and take the next due job, or nothing when none is left, instead of waiting for the
// first transaction to end: its lock timeout turns any such wait into an error.
TEST_F(PgJobClaimsTest, AClaimSkipsJobsAnotherTransactionHoldsInsteadOfWaiting) {
  const auto queued = queue_records(2);
  auto other = PostgresCatalog::open(url);
  other->write([](Connection& db) { db.run_script("SET lock_timeout = '2s'"); });
  auto other_jobs = other->persist_jobs("other", 60s);
  JobQueue holder("holder", 60s);

  catalog->write([&](Connection& db) {
    const auto held = holder.claim(db);
    ASSERT_TRUE(held);
    const auto taken = other_jobs->claim();
    ASSERT_TRUE(taken);
    EXPECT_NE(taken->record_id, held->record_id);
    EXPECT_TRUE(queued.contains(taken->record_id));
    EXPECT_FALSE(other_jobs->claim()) << "a job was taken while another transaction held it";
  });

  // Committed, the holder's lease is what keeps the job from the other claimer.
  EXPECT_FALSE(other_jobs->claim());
  EXPECT_EQ(other_jobs->counts().queued, 2);
}

}  // namespace
}  // namespace pindeck::catalog::postgres
