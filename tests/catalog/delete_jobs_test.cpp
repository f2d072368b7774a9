// SPDX-License-Identifier: Apache-2.0
// Deleting records in the catalog (DESIGN §6.8): which records a deletion takes, that their rows,
// tags, search entries and persist jobs go in one transaction with the queueing of what they leave
// in the stores, and the delete job queue itself.
#include <gtest/gtest.h>

#include <set>

#include "catalog/record_removal.hpp"
#include "catalog_fixture.hpp"
#include "pindeck/error.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {
namespace {

using namespace std::chrono_literals;
using pindeck::test::open_catalog;
using pindeck::test::TempDir;

Errc code_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return Errc::internal;
}

// A record as the pipeline leaves it once durable in the local store's bucket `bucket`.
Record persisted(const std::string& name, const std::string& bucket = "pindeck") {
  Record r;
  r.title = name;
  r.tags = {"tag-" + name};
  r.storage_provider = StorageProvider::local;
  r.storage_bucket = bucket;
  r.storage_persist_status = PersistStatus::succeeded;
  r.storage_path = "media-uploads/2026/11_30/original/" + name + ".jpg";
  r.preview_storage_path = "media-uploads/2026/11_30/preview/" + name + "-preview.jpg";
  r.derivative_storage_paths =
      DerivativeSet{"media-uploads/2026/11_30/low/" + name + "-w320.webp",
                    "media-uploads/2026/11_30/high/" + name + "-w768.webp",
                    "media-uploads/2026/11_30/high/" + name + "-w1280.webp"};
  return r;
}

// A record still only staged: pending, with a staged copy and its keys fixed.
Record pending(const std::string& name, const std::string& staged_id) {
  Record r = persisted(name);
  r.storage_provider = StorageProvider::convex;
  r.storage_bucket.reset();
  r.storage_persist_status = PersistStatus::pending;
  r.storage_id = staged_id;
  return r;
}

std::set<std::string> as_set(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

struct DeleteJobsTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Catalog> catalog = open_catalog(dir.path() / "catalog.sqlite");
  // The queue's clock runs with the real one (deletions are stamped with it) and can jump ahead.
  std::int64_t skipped_ms = 0;
  util::Clock clock = [this] { return util::system_now_ms() + skipped_ms; };
  std::unique_ptr<DeleteJobs> jobs = catalog->delete_jobs("deleter-a", 30s, clock);

  Record add(Record r) { return catalog->insert(std::move(r)).record; }
  std::vector<DeleteJob> claim_local(std::size_t max = 100) {
    return jobs->claim(StorageProvider::local, "pindeck", max);
  }
};

TEST_F(DeleteJobsTest, DeletingARecordQueuesItsObjectsWithTheDeletion) {
  const Record kept = add(persisted("kept"));
  const Record gone = add(persisted("gone"));
  const auto removed = catalog->remove_records({gone.id}, false, false);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].record.id, gone.id);
  EXPECT_EQ(as_set(removed[0].object_keys), as_set(object_keys_of(gone)));
  EXPECT_EQ(object_keys_of(gone).size(), 5u);

  EXPECT_FALSE(catalog->find(gone.id));
  RecordQuery by_tag;
  by_tag.tags = {"tag-gone"};
  EXPECT_TRUE(catalog->list(by_tag).records.empty());
  EXPECT_TRUE(catalog->search("gone", {}).records.empty());
  EXPECT_EQ(catalog->search("kept", {}).records.size(), 1u);

  EXPECT_EQ(jobs->count(), 1);
  EXPECT_EQ(jobs->count({kept.id}), 0);
  const auto claimed = claim_local();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].record_id, gone.id);
  EXPECT_EQ(as_set(claimed[0].object_keys), as_set(object_keys_of(gone)));
  EXPECT_FALSE(claimed[0].staged_id);
  EXPECT_EQ(claimed[0].attempts, 1);
  // Leased: nobody else gets it until the lease ends.
  EXPECT_TRUE(claim_local().empty());
  EXPECT_TRUE(jobs->complete(claimed[0]));
  EXPECT_EQ(jobs->count(), 0);
}

TEST_F(DeleteJobsTest, ARecordWithNothingStoredQueuesNothing) {
  Record bare;
  bare.title = "metadata only";
  const Record r = add(bare);
  const auto removed = catalog->remove_records({r.id}, false, false);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(removed[0].object_keys.empty());
  EXPECT_EQ(jobs->count(), 0);
}

TEST_F(DeleteJobsTest, KeysAndStagedCopiesAnotherRecordNamesAreNeverQueuedNorHandedOut) {
  // A host may create two records naming the same objects (a copy of a record, an import).
  Record first = add(pending("shared", "0123456789abcdef0123456789abcdef"));
  add(pending("shared", "0123456789abcdef0123456789abcdef"));
  const auto removed = catalog->remove_records({first.id}, false, false);
  EXPECT_TRUE(removed[0].object_keys.empty());
  EXPECT_EQ(jobs->count(), 0);

  // Deleted alone, a record's key is queued; a record created afterwards naming it again keeps it.
  const Record lone = add(persisted("lone"));
  catalog->remove_records({lone.id}, false, false);
  Record again = persisted("other");
  again.storage_path = lone.storage_path;
  add(again);
  const auto claimed = claim_local();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].object_keys.size(), 4u);
  EXPECT_FALSE(as_set(claimed[0].object_keys).contains(*lone.storage_path));
}

TEST_F(DeleteJobsTest, AParentWithVariationsIsRefusedUnlessItsFamilyGoesToo) {
  const Record parent = add(persisted("parent"));
  Record child = persisted("child");
  child.parent_image_id = parent.id;
  child = add(child);
  Record grandchild = persisted("grandchild");
  grandchild.parent_image_id = child.id;
  grandchild = add(grandchild);
  const Record other = add(persisted("other"));

  EXPECT_EQ(code_of([&] { catalog->remove_records({parent.id}, false, false); }), Errc::conflict);
  EXPECT_EQ(code_of([&] {
              catalog->remove_records({parent.id, child.id}, false, false);
            }),
            Errc::conflict);
  EXPECT_TRUE(catalog->find(parent.id));
  EXPECT_EQ(jobs->count(), 0);

  const auto dry = catalog->remove_records({parent.id}, true, true);
  ASSERT_EQ(dry.size(), 3u);
  EXPECT_EQ(dry[0].record.id, grandchild.id);
  EXPECT_EQ(dry[1].record.id, child.id);
  EXPECT_EQ(dry[2].record.id, parent.id);
  EXPECT_EQ(dry[2].object_keys.size(), 5u);
  // A dry run changes nothing.
  EXPECT_TRUE(catalog->find(grandchild.id));
  EXPECT_EQ(jobs->count(), 0);

  // Named together, a whole family needs no option.
  const auto removed = catalog->remove_records({parent.id, grandchild.id, child.id}, false, false);
  EXPECT_EQ(removed.size(), 3u);
  EXPECT_FALSE(catalog->find(parent.id));
  EXPECT_TRUE(catalog->find(other.id));
  EXPECT_EQ(jobs->count(), 3);
}

TEST_F(DeleteJobsTest, ABulkDeletionIsAllOrNothing) {
  const Record a = add(persisted("a"));
  EXPECT_EQ(code_of([&] {
              catalog->remove_records({a.id, "no-such-id"}, false, false);
            }),
            Errc::not_found);
  EXPECT_TRUE(catalog->find(a.id));
  EXPECT_EQ(jobs->count(), 0);
  EXPECT_EQ(code_of([&] { catalog->remove_records({}, false, false); }), Errc::invalid);
}

TEST_F(DeleteJobsTest, DeletingByFilterTakesEveryMatchBeyondOnePage) {
  std::vector<Record> batch;
  for (int i = 0; i < 1005; ++i) {
    Record r;
    r.title = "bulk " + std::to_string(i);
    r.category = i % 2 == 0 ? "Keep" : "Drop";
    batch.push_back(r);
  }
  catalog->insert_batch(batch);
  RecordQuery drop;
  drop.category = "Drop";
  drop.limit = 1;
  EXPECT_EQ(catalog->remove_matching(drop, false, true).size(), 502u);
  EXPECT_EQ(catalog->remove_matching(drop, false, false).size(), 502u);
  EXPECT_TRUE(catalog->remove_matching(drop, false, false).empty());
  RecordQuery keep;
  keep.category = "Keep";
  keep.limit = 1000;
  EXPECT_EQ(catalog->list(keep).records.size(), 503u);
}

TEST_F(DeleteJobsTest, DeletingARecordWhosePersistJobIsRunningWaitsForThatLeaseToEnd) {
  auto persist = catalog->persist_jobs("uploader", 30s);
  const Record r =
      persist->insert_with_job(pending("busy", "00112233445566778899aabbccddeeff")).record;
  const auto job = persist->claim();
  ASSERT_TRUE(job);

  catalog->remove_records({r.id}, false, false);
  EXPECT_FALSE(persist->find(r.id)) << "the persist job goes with its record";
  EXPECT_EQ(jobs->count({r.id}), 1);
  EXPECT_TRUE(claim_local().empty()) << "due only when the uploader's lease ends";
  EXPECT_GE(*jobs->next_claimable_at(StorageProvider::local, "pindeck"), job->lease_expires_at);

  // The uploader's job ends: it cannot record its outcome, and the removal becomes due at once.
  EXPECT_FALSE(persist->complete(*job, [](Record&) { return true; }));
  EXPECT_TRUE(jobs->requeue_if_deleted(r, StorageProvider::local, "pindeck"));
  auto claimed = claim_local();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].staged_id, r.storage_id);
  EXPECT_EQ(claimed[0].object_keys.size(), 5u);

  // Had the removal already run, the uploader queues it anew for the store it wrote to.
  ASSERT_TRUE(jobs->complete(claimed[0]));
  EXPECT_TRUE(jobs->requeue_if_deleted(r, StorageProvider::local, "pindeck"));
  claimed = claim_local();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(as_set(claimed[0].object_keys), as_set(object_keys_of(r)));

  // A record that still exists (the lease was only lost) queues nothing.
  const Record alive = add(persisted("alive"));
  EXPECT_FALSE(jobs->requeue_if_deleted(alive, StorageProvider::local, "pindeck"));
}

TEST_F(DeleteJobsTest, JobsAreHandedOnlyToTheStoreTheirObjectsWentTo) {
  const Record local = add(persisted("in-local"));
  Record s3 = persisted("in-s3", "other-bucket");
  s3.storage_provider = StorageProvider::rustfs;
  s3 = add(s3);
  const Record never = add(pending("never", "ffeeddccbbaa99887766554433221100"));
  catalog->remove_records({local.id, s3.id, never.id}, false, false);

  std::set<std::string> local_ids;
  for (const auto& job : claim_local()) local_ids.insert(job.record_id);
  EXPECT_EQ(local_ids, (std::set<std::string>{local.id, never.id}));
  const auto s3_jobs = jobs->claim(StorageProvider::rustfs, "other-bucket", 100);
  ASSERT_EQ(s3_jobs.size(), 1u);
  EXPECT_EQ(s3_jobs[0].record_id, s3.id);
}

TEST_F(DeleteJobsTest, AFailedAttemptIsRetriedLaterAndALapsedLeaseIsTakenOver) {
  const Record r = add(persisted("flaky"));
  catalog->remove_records({r.id}, false, false);
  auto first = claim_local();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(jobs->retry_later(first[0], 5s, "store unreachable"));
  EXPECT_TRUE(claim_local().empty());
  skipped_ms += 5000;
  auto second = claim_local();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempts, 2);
  EXPECT_EQ(second[0].last_error, "store unreachable");

  // The holder dies: once its lease lapses another owner takes the job, and the dead one's
  // completion no longer counts.
  auto other = catalog->delete_jobs("deleter-b", 30s, clock);
  EXPECT_TRUE(other->claim(StorageProvider::local, "pindeck", 10).empty());
  skipped_ms += 30000;
  auto taken = other->claim(StorageProvider::local, "pindeck", 10);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_FALSE(jobs->complete(second[0]));
  EXPECT_TRUE(other->complete(taken[0]));
  EXPECT_EQ(jobs->count(), 0);
}

TEST_F(DeleteJobsTest, RetryingFailedJobsNowHurriesOnlyThoseThatFailedOnThatStore) {
  const Record failed = add(persisted("failed"));
  Record elsewhere = persisted("elsewhere", "other-bucket");
  elsewhere.storage_provider = StorageProvider::rustfs;
  elsewhere = add(elsewhere);
  catalog->remove_records({failed.id, elsewhere.id}, false, false);
  auto local_job = claim_local();
  auto other_job = jobs->claim(StorageProvider::rustfs, "other-bucket", 10);
  ASSERT_EQ(local_job.size(), 1u);
  ASSERT_EQ(other_job.size(), 1u);
  ASSERT_TRUE(jobs->retry_later(local_job[0], 10min, "store unreachable"));
  ASSERT_TRUE(jobs->retry_later(other_job[0], 10min, "store unreachable"));

  // A removal waiting for a running persist job's lease is not a failure: it keeps waiting.
  auto persist = catalog->persist_jobs("uploader", 30s);
  const Record busy =
      persist->insert_with_job(pending("busy", "00112233445566778899aabbccddeeff")).record;
  ASSERT_TRUE(persist->claim());
  catalog->remove_records({busy.id}, false, false);
  ASSERT_TRUE(claim_local().empty());

  EXPECT_EQ(jobs->retry_failed_now(StorageProvider::local, "pindeck"), 1u);
  const auto hurried = claim_local();
  ASSERT_EQ(hurried.size(), 1u);
  EXPECT_EQ(hurried[0].record_id, failed.id);
  EXPECT_TRUE(jobs->claim(StorageProvider::rustfs, "other-bucket", 10).empty())
      << "another store's failures were hurried";
  EXPECT_EQ(jobs->retry_failed_now(StorageProvider::local, "pindeck"), 0u)
      << "a leased job was hurried";
}

}  // namespace
}  // namespace pindeck::catalog
