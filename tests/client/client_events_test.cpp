// SPDX-License-Identifier: Apache-2.0
// Client::subscribe: a record's persistence events (pending, each object stored, succeeded or
// failed) in order with the record as stored; handlers that call back into the client or
// unsubscribe themselves; unsubscribe waiting for a running call; a throwing handler; closing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "quick_persistence.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

const std::filesystem::path sample =
    std::filesystem::path(PINDECK_TEST_DATA) / "images" / "truchet-l.webp";

// Metadata giving the same sample another title, hence other object keys.
Record titled(const std::string& title) {
  Record metadata;
  metadata.title = title;
  return metadata;
}

// Every event a handler saw, and a way to wait for one.
class Recorder {
 public:
  EventHandler handler() {
    return [this](const PersistenceEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    };
  }

  // Waits until the record has settled (succeeded or failed) in the events seen.
  void wait_settled(const std::string& id) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 60s, [&] { return settled(id); }))
        << "no succeeded or failed event for " << id;
  }

  // Waits until an event has given the record `status`.
  void wait_for(const std::string& id, PersistStatus status) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 60s,
                                  [&] {
                                    for (const auto& event : events_) {
                                      const auto* seen = std::get_if<PersistStatusEvent>(&event);
                                      if (seen && seen->record_id == id && seen->status == status)
                                        return true;
                                    }
                                    return false;
                                  }))
        << "no such status event for " << id;
  }

  std::vector<PersistenceEvent> of(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<PersistenceEvent> out;
    for (const auto& event : events_) {
      if (record_id(event) == id) out.push_back(event);
    }
    return out;
  }

  std::size_t count() {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

  static std::string record_id(const PersistenceEvent& event) {
    return std::visit([](const auto& e) { return e.record_id; }, event);
  }

 private:
  bool settled(const std::string& id) const {
    for (const auto& event : events_) {
      const auto* status = std::get_if<PersistStatusEvent>(&event);
      if (status && status->record_id == id && status->status != PersistStatus::pending) {
        return true;
      }
    }
    return false;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<PersistenceEvent> events_;
};

// Makes the local store's bucket directory a plain file, so every write fails for real (ENOTDIR);
// returns its path, whose removal heals the store.
std::filesystem::path block_local_store(const std::filesystem::path& data_dir,
                                        const PersistenceConfig& config) {
  const auto bucket_dir = data_dir / "objects" / config.bucket;
  std::filesystem::remove_all(bucket_dir);
  std::filesystem::create_directories(bucket_dir.parent_path());
  std::ofstream(bucket_dir) << "in the way";
  EXPECT_TRUE(std::filesystem::is_regular_file(bucket_dir));
  return bucket_dir;
}

TEST(ClientEvents, AnUploadIsPendingThenEachObjectThenSucceededWithTheRecordAsStored) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  Recorder recorder;
  const auto subscription = client.subscribe(recorder.handler());

  const Record uploaded = client.upload_file(sample);
  recorder.wait_settled(uploaded.id);
  const auto events = recorder.of(uploaded.id);
  ASSERT_GE(events.size(), 2u);

  const auto& first = std::get<PersistStatusEvent>(events.front());
  EXPECT_EQ(first.status, PersistStatus::pending);
  EXPECT_EQ(first.record.id, uploaded.id);
  EXPECT_EQ(first.record.storage_persist_status, PersistStatus::pending);
  EXPECT_EQ(first.record.storage_path, uploaded.storage_path);

  const auto& last = std::get<PersistStatusEvent>(events.back());
  EXPECT_EQ(last.status, PersistStatus::succeeded);
  EXPECT_TRUE(last.error.empty());
  EXPECT_EQ(last.record.storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(last.record.storage_provider, client.get(uploaded.id).storage_provider);
  ASSERT_TRUE(last.record.image_url.has_value());
  EXPECT_EQ(last.record.image_url, client.get(uploaded.id).image_url);

  // Between them: one event per object, each whole, for exactly the record's five keys.
  const auto& paths = *uploaded.derivative_storage_paths;
  const std::set<std::string> expected = {*uploaded.storage_path, *uploaded.preview_storage_path,
                                          *paths.small, *paths.medium, *paths.large};
  std::set<std::string> sent;
  for (std::size_t i = 1; i + 1 < events.size(); ++i) {
    const auto& progress = std::get<UploadProgressEvent>(events[i]);
    EXPECT_EQ(progress.bytes_sent, progress.bytes_total);
    EXPECT_GT(progress.bytes_total, 0);
    if (progress.key == *uploaded.storage_path) {
      EXPECT_EQ(progress.bytes_total, uploaded.byte_size);
    } else {
      EXPECT_EQ(progress.bytes_total,
                static_cast<std::int64_t>(client.read_object(progress.key).size()));
    }
    sent.insert(progress.key);
  }
  EXPECT_EQ(events.size(), expected.size() + 2);
  EXPECT_EQ(sent, expected);
}

TEST(ClientEvents, AFailedJobIsAnnouncedWithItsError) {
  TempDir dir;
  auto client = Client::open(dir.path());
  auto config = test::quick_persistence();
  config.max_attempts = 1;
  client.start_persistence(config);
  block_local_store(dir.path(), config);

  Recorder recorder;
  const auto subscription = client.subscribe(recorder.handler());
  const Record uploaded = client.upload_file(sample);
  recorder.wait_settled(uploaded.id);
  const auto events = recorder.of(uploaded.id);
  ASSERT_EQ(events.size(), 2u) << "pending, then failed: nothing was stored";
  EXPECT_EQ(std::get<PersistStatusEvent>(events[0]).status, PersistStatus::pending);
  const auto& failed = std::get<PersistStatusEvent>(events[1]);
  EXPECT_EQ(failed.status, PersistStatus::failed);
  EXPECT_FALSE(failed.error.empty());
  EXPECT_EQ(failed.error, failed.record.storage_persist_error);
  EXPECT_EQ(failed.record.storage_persist_error, client.get(uploaded.id).storage_persist_error);
}

// A backfill makes a failed record pending again: subscribers hear it before anything its new
// job does, so they never see a record succeed without having seen it pending again.
TEST(ClientEvents, ABackfilledRecordIsAnnouncedPendingAgain) {
  TempDir dir;
  auto client = Client::open(dir.path());
  auto config = test::quick_persistence();
  config.max_attempts = 1;
  client.start_persistence(config);
  const auto bucket_dir = block_local_store(dir.path(), config);

  Recorder recorder;
  const auto subscription = client.subscribe(recorder.handler());
  const Record uploaded = client.upload_file(sample);
  recorder.wait_for(uploaded.id, PersistStatus::failed);

  std::filesystem::remove(bucket_dir);
  ASSERT_EQ(client.backfill(), 1);
  recorder.wait_for(uploaded.id, PersistStatus::succeeded);
  std::vector<PersistStatus> statuses;
  for (const auto& event : recorder.of(uploaded.id)) {
    if (const auto* status = std::get_if<PersistStatusEvent>(&event)) {
      statuses.push_back(status->status);
      if (statuses.size() == 3) {
        EXPECT_EQ(status->record.storage_persist_status, PersistStatus::pending)
            << "the record as the backfill stored it";
      }
    }
  }
  EXPECT_EQ(statuses,
            (std::vector<PersistStatus>{PersistStatus::pending, PersistStatus::failed,
                                        PersistStatus::pending, PersistStatus::succeeded}));
}

TEST(ClientEvents, AHandlerMayCallTheClientAndUnsubscribeItself) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<PersistStatus> statuses_read;
  bool succeeded = false;
  int calls = 0;
  Subscription subscription;
  subscription = client.subscribe([&](const PersistenceEvent& event) {
    const auto* status = std::get_if<PersistStatusEvent>(&event);
    if (status == nullptr) return;
    // Reads the catalog from the event thread: no transaction or lock of the library is held.
    const Record stored = client.get(status->record_id);
    std::lock_guard lock(mutex);
    ++calls;
    statuses_read.push_back(*stored.storage_persist_status);
    if (status->status == PersistStatus::succeeded) {
      subscription.unsubscribe();
      succeeded = true;
    }
    changed.notify_all();
  });

  client.upload_file(sample);
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 60s, [&] { return succeeded; }));
    EXPECT_EQ(statuses_read.back(), PersistStatus::succeeded);
  }
  EXPECT_FALSE(subscription.active());
  const Record second = client.upload_file(sample, titled("second"));
  client.wait_persisted(second.id, 60s);
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls, 2) << "after unsubscribing itself the handler was called again";
}

TEST(ClientEvents, UnsubscribeWaitsForARunningCallAndStopsDelivery) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  std::atomic<int> calls{0};
  std::atomic<bool> entered{false}, left{false};
  auto subscription = client.subscribe([&](const PersistenceEvent&) {
    if (calls++ == 0) {
      entered = true;
      std::this_thread::sleep_for(300ms);
      left = true;
    }
  });
  const Record uploaded = client.upload_file(sample);
  while (!entered) std::this_thread::sleep_for(1ms);
  subscription.unsubscribe();
  EXPECT_TRUE(left) << "unsubscribe returned while the handler was still running";
  const int seen = calls;
  client.wait_persisted(uploaded.id, 60s);
  const Record second = client.upload_file(sample, titled("second"));
  client.wait_persisted(second.id, 60s);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls, seen);
}

TEST(ClientEvents, AThrowingHandlerDoesNotStopTheOthers) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  const auto thrower =
      client.subscribe([](const PersistenceEvent&) { throw std::runtime_error("host bug"); });
  Recorder recorder;
  const auto subscription = client.subscribe(recorder.handler());
  const Record uploaded = client.upload_file(sample);
  recorder.wait_settled(uploaded.id);
  EXPECT_EQ(recorder.of(uploaded.id).size(), 7u);
}

TEST(ClientEvents, ClosingTheClientEndsItsSubscriptions) {
  TempDir dir;
  Subscription subscription;
  {
    auto client = Client::open(dir.path());
    subscription = client.subscribe([](const PersistenceEvent&) {});
    EXPECT_TRUE(subscription.active());
    EXPECT_THROW((void)client.subscribe(EventHandler{}), Error);
  }
  EXPECT_FALSE(subscription.active());
  subscription.unsubscribe();
  EXPECT_FALSE(subscription.active());
}

}  // namespace
}  // namespace pindeck
