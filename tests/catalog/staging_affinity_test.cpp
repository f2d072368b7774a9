// SPDX-License-Identifier: Apache-2.0
// With a catalog that several hosts share, a job is claimed only by workers of the first-stage
// store that holds its bytes (Catalog::persist_jobs' staging_site; DESIGN §6, scale-out). Runs on
// both backends.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "catalog_fixture.hpp"
#include "temp_dir.hpp"

namespace pindeck::catalog {
namespace {

using namespace std::chrono_literals;

Record staged_record(const std::string& title) {
  Record record;
  record.title = title;
  record.storage_provider = StorageProvider::convex;
  record.storage_persist_status = PersistStatus::pending;
  record.storage_id = std::string(32, 'a');
  return record;
}

class StagingAffinity : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::unique_ptr<Catalog> catalog = test::open_catalog(dir.path() / "catalog.sqlite");
  std::unique_ptr<PersistJobs> host_a =
      catalog->persist_jobs("a", 60s, util::system_now_ms, "aaaa");
  std::unique_ptr<PersistJobs> host_b =
      catalog->persist_jobs("b", 60s, util::system_now_ms, "bbbb");
  std::unique_ptr<PersistJobs> shared = catalog->persist_jobs("s", 60s);
};

TEST_F(StagingAffinity, AJobStagedOnOneHostIsClaimedOnlyByThatHostsWorkers) {
  const std::string id = host_a->insert_with_job(staged_record("on a")).record.id;

  EXPECT_EQ(host_b->claim(), std::nullopt);
  EXPECT_EQ(shared->claim(), std::nullopt) << "a worker of a shared first stage took local bytes";
  EXPECT_EQ(host_b->next_claimable_at(), std::nullopt)
      << "host b would wake for a job it may not claim";
  ASSERT_TRUE(host_a->next_claimable_at().has_value());

  auto job = host_a->claim();
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->record_id, id);
}

TEST_F(StagingAffinity, AJobQueuedWithoutASiteIsClaimedByAnyWorker) {
  const std::string id = shared->insert_with_job(staged_record("anywhere")).record.id;
  auto job = host_b->claim();
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->record_id, id);
}

TEST_F(StagingAffinity, ABackfillOnAnotherHostKeepsTheJobWithTheBytes) {
  const std::string id = host_a->insert_with_job(staged_record("on a")).record.id;
  auto job = host_a->claim();
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(host_a->fail(*job, "gave up", FailureKind::transient, [](Record& r) {
    r.storage_persist_status = PersistStatus::failed;
    r.storage_persist_error = "gave up";
    return true;
  }));

  const auto requeued = host_b->requeue_awaiting_backfill(10, false);
  ASSERT_EQ(requeued.size(), 1u);
  EXPECT_EQ(requeued[0].id, id);
  EXPECT_EQ(host_b->claim(), std::nullopt) << "the backfilling host took a job staged elsewhere";
  auto again = host_a->claim();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->record_id, id);
}

}  // namespace
}  // namespace pindeck::catalog
