// SPDX-License-Identifier: Apache-2.0
// Carrying out deletions (DESIGN §6.8) on the embedded local object store: a deleted record's
// objects and staged copy go, another record's stay, and a record deleted while its persist job
// uploads loses what the job uploaded afterwards.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "catalog/record_removal.hpp"
#include "catalog_fixture.hpp"
#include "pipeline/local_object_store.hpp"
#include "pipeline/persistence.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

PersistenceConfig fast_config() {
  PersistenceConfig config;
  config.poll_interval = 50ms;
  config.lease = 5s;
  return config;
}

// The local store, with writes held until the test lets them through: the moment a worker's
// uploads land cannot otherwise be placed after a deletion.
class HeldWritesStore final : public ObjectStore {
 public:
  explicit HeldWritesStore(const std::filesystem::path& root) : local_(root, "pindeck") {}

  void release() {
    std::vector<std::function<void()>> writes;
    {
      std::lock_guard lock(mutex_);
      holding_ = false;
      writes.swap(held_);
    }
    for (auto& write : writes) write();
  }
  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  LocalObjectStore& local() { return local_; }

  StorageProvider provider() const override { return local_.provider(); }
  const std::string& bucket() const override { return local_.bucket(); }
  void async_prepare(WriteDone done) override { done(nullptr); }
  void async_put_file(std::string_view key, const std::filesystem::path& file,
                      std::string_view content_type, WriteDone done) override {
    hold([this, key = std::string(key), file, type = std::string(content_type), done] {
      local_.async_put_file(key, file, type, done);
    });
  }
  void async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                       std::string_view content_type, WriteDone done) override {
    hold([this, key = std::string(key), bytes, type = std::string(content_type), done] {
      local_.async_put_bytes(key, bytes, type, done);
    });
  }
  std::optional<StoredObject> head(std::string_view key) override { return local_.head(key); }
  void async_read(std::string_view key, bool with_body, ReadDone done) override {
    local_.async_read(key, with_body, std::move(done));
  }
  bool read_to_file(std::string_view key, const std::filesystem::path& file) override {
    return local_.read_to_file(key, file);
  }
  void remove(std::string_view key) override { local_.remove(key); }
  std::vector<std::string> list(std::string_view prefix) override { return local_.list(prefix); }
  std::string public_url(std::string_view key) const override { return local_.public_url(key); }

 private:
  void hold(std::function<void()> write) {
    {
      std::lock_guard lock(mutex_);
      if (holding_) {
        held_.push_back(std::move(write));
        return;
      }
    }
    write();
  }

  LocalObjectStore local_;
  std::mutex mutex_;
  bool holding_ = true;
  std::vector<std::function<void()>> held_;
};

struct Engine {
  explicit Engine(const std::filesystem::path& data_dir)
      : catalog(test::open_catalog(data_dir / "catalog.sqlite")) {
    auto held = std::make_unique<HeldWritesStore>(data_dir / "objects");
    store = held.get();
    persistence = std::make_unique<Persistence>(*catalog, data_dir, std::move(held), fast_config(),
                                                /*start_workers=*/false);
  }
  Record upload(const std::filesystem::path& path) {
    UploadSource source;
    source.path = path;
    return persistence->ingest(source, {});
  }
  // Claims the record's job and starts it; returns once its uploads are handed to the store. The
  // future tells how the job ended.
  std::future<JobOutcome> start_job() {
    auto job = persistence->jobs().claim();
    EXPECT_TRUE(job);
    auto ended = std::make_shared<std::promise<JobOutcome>>();
    persistence->start_job(*job, [ended](JobOutcome outcome) { ended->set_value(outcome); });
    return ended->get_future();
  }
  void persist(const std::string& id) {
    auto ended = start_job();
    store->release();
    EXPECT_EQ(ended.get(), JobOutcome::succeeded);
    EXPECT_EQ(catalog->get(id).storage_persist_status, PersistStatus::succeeded);
  }
  bool all_exist(const Record& r) {
    for (const auto& key : catalog::object_keys_of(r)) {
      if (!store->local().exists(key)) return false;
    }
    return true;
  }
  bool none_exists(const Record& r) {
    for (const auto& key : catalog::object_keys_of(r)) {
      if (store->local().exists(key)) return false;
    }
    return true;
  }

  std::unique_ptr<catalog::Catalog> catalog;
  HeldWritesStore* store = nullptr;
  std::unique_ptr<Persistence> persistence;
};

TEST(Deletion, ADeletedRecordLosesItsObjectsAndAKeptOneKeepsThem) {
  TempDir dir;
  Engine engine(dir.path());
  const auto images = pindeck::test::sample_images();
  const Record kept = engine.upload(images[0]);
  engine.persist(kept.id);
  const Record gone = engine.upload(images[1]);
  engine.persist(gone.id);
  const Record persisted = engine.catalog->get(gone.id);
  ASSERT_TRUE(engine.all_exist(persisted));
  ASSERT_TRUE(engine.all_exist(engine.catalog->get(kept.id)));

  engine.catalog->remove_records({gone.id}, false, false);
  EXPECT_TRUE(engine.all_exist(persisted)) << "removal is the deleter's job, not the catalog's";
  EXPECT_EQ(engine.persistence->deleter().run_due(), 1u);
  EXPECT_TRUE(engine.none_exists(persisted));
  EXPECT_TRUE(engine.all_exist(engine.catalog->get(kept.id)));
  EXPECT_EQ(engine.persistence->delete_jobs().count(), 0);
  EXPECT_EQ(engine.store->local().list("media-uploads/").size(), 5u);
}

TEST(Deletion, APendingRecordLosesItsStagedCopyAndItsJob) {
  TempDir dir;
  Engine engine(dir.path());
  const Record r = engine.upload(pindeck::test::sample_images()[0]);
  auto& staging = engine.persistence->staging_store();
  ASSERT_TRUE(staging.contains(*r.storage_id));
  ASSERT_TRUE(engine.persistence->jobs().find(r.id));

  engine.catalog->remove_records({r.id}, false, false);
  EXPECT_FALSE(engine.persistence->jobs().find(r.id));
  EXPECT_EQ(engine.persistence->deleter().run_due(), 1u);
  EXPECT_FALSE(staging.contains(*r.storage_id));
  EXPECT_EQ(engine.persistence->job_counts().queued, 0);
}

TEST(Deletion, WhatAJobUploadsAfterItsRecordWasDeletedIsRemovedToo) {
  TempDir dir;
  Engine engine(dir.path());
  const Record r = engine.upload(pindeck::test::sample_images()[0]);
  // The worker has derived everything and handed its uploads over; none has landed yet.
  auto ended = engine.start_job();
  ASSERT_EQ(engine.store->held(), 5u);

  engine.catalog->remove_records({r.id}, false, false);
  // The removal waits for the worker's lease: its staged copy and objects are still in use.
  EXPECT_EQ(engine.persistence->deleter().run_due(), 0u);
  EXPECT_TRUE(engine.persistence->staging_store().contains(*r.storage_id));

  engine.store->release();
  EXPECT_EQ(ended.get(), JobOutcome::released)
      << "the catalog took the outcome of a deleted record";
  EXPECT_FALSE(engine.catalog->find(r.id)) << "the job must not bring the record back";
  EXPECT_EQ(engine.persistence->deleter().run_due(), 1u);
  EXPECT_TRUE(engine.none_exists(r));
  EXPECT_TRUE(engine.store->local().list("media-uploads/").empty());
  EXPECT_FALSE(engine.persistence->staging_store().contains(*r.storage_id));
  EXPECT_EQ(engine.persistence->delete_jobs().count(), 0);
}

TEST(Deletion, ARecordDeletedBeforeItsClaimedJobStartedIsCleanedUpWithoutWaitingForTheLease) {
  TempDir dir;
  Engine engine(dir.path());
  const Record r = engine.upload(pindeck::test::sample_images()[0]);
  auto job = engine.persistence->jobs().claim();
  ASSERT_TRUE(job);
  engine.catalog->remove_records({r.id}, false, false);
  EXPECT_EQ(engine.persistence->deleter().run_due(), 0u) << "waits for the job's lease";

  // The job finds its record gone and uploads nothing: the removal need not wait any longer.
  std::promise<JobOutcome> ended;
  engine.persistence->start_job(*job, [&ended](JobOutcome outcome) { ended.set_value(outcome); });
  EXPECT_EQ(ended.get_future().get(), JobOutcome::released);
  EXPECT_EQ(engine.store->held(), 0u);
  EXPECT_EQ(engine.persistence->deleter().run_due(), 1u);
  EXPECT_FALSE(engine.persistence->staging_store().contains(*r.storage_id));
}

TEST(Deletion, TheDeleterThreadFinishesWhatARunningJobLeftAsSoonAsItEnds) {
  TempDir dir;
  Engine engine(dir.path());
  const Record r = engine.upload(pindeck::test::sample_images()[1]);
  auto ended = engine.start_job();
  engine.catalog->remove_records({r.id}, false, false);
  engine.persistence->deleter().start(20ms);
  engine.store->release();
  ended.wait();
  // Well before the 5 s lease ends.
  const auto give_up = std::chrono::steady_clock::now() + 3s;
  while (engine.persistence->delete_jobs().count() > 0 &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(engine.persistence->delete_jobs().count(), 0);
  EXPECT_TRUE(engine.store->local().list("media-uploads/").empty());
}

TEST(Deletion, RetryDelaysDoubleUpToAMinute) {
  EXPECT_EQ(Deleter::retry_delay(1), 1s);
  EXPECT_EQ(Deleter::retry_delay(2), 2s);
  EXPECT_EQ(Deleter::retry_delay(5), 16s);
  EXPECT_EQ(Deleter::retry_delay(7), 1min);
  EXPECT_EQ(Deleter::retry_delay(10), 1min);
  EXPECT_EQ(Deleter::retry_delay(1000), 1min);
}

}  // namespace
}  // namespace pindeck::pipeline
