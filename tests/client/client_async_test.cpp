// SPDX-License-Identifier: Apache-2.0
// pindeck::Client's asynchronous engine: waits for persistence hold no thread, and closing a client
// with operations in flight completes them instead of leaving them hanging.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "media/vips_runtime.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

// A small PNG whose pixels depend on `seed`, made by libvips.
std::string tiny_png(int seed) {
  media::start_vips();
  VipsImage* image = nullptr;
  if (vips_xyz(&image, 48, 32, nullptr) != 0) throw std::runtime_error("vips_xyz failed");
  VipsImage* shifted = nullptr;
  const double scale = 3.0, offset = seed % 200;
  if (vips_linear(image, &shifted, &scale, &offset, 1, "uchar", TRUE, nullptr) != 0) {
    g_object_unref(image);
    throw std::runtime_error("vips_linear failed");
  }
  g_object_unref(image);
  void* buffer = nullptr;
  size_t size = 0;
  const int rc = vips_image_write_to_buffer(shifted, ".png", &buffer, &size, nullptr);
  g_object_unref(shifted);
  if (rc != 0) throw std::runtime_error("encoding a PNG failed");
  std::string bytes(static_cast<const char*>(buffer), size);
  g_free(buffer);
  return bytes;
}

// Persistence to the local store whose bucket directory is, for now, a plain file: every write
// fails (ENOTDIR) and is retried seconds later, so the records stay pending until unblock().
struct BlockedStore {
  explicit BlockedStore(const std::filesystem::path& dir)
      : data_dir(dir), bucket_dir(dir / "objects" / "pindeck") {
    config.poll_interval = 50ms;
    config.max_attempts = 3;
    config.retry_min_delay = 5s;
    config.retry_max_delay = 5s;
  }
  // A client on the data directory, persisting to the store, which is blocked.
  Client open_client() {
    auto client = Client::open(data_dir);
    client.start_persistence(config);
    block();
    return client;
  }
  void block() {
    std::filesystem::remove_all(bucket_dir);
    std::ofstream(bucket_dir) << "in the way";
  }
  void unblock() { std::filesystem::remove(bucket_dir); }

  std::filesystem::path data_dir;
  std::filesystem::path bucket_dir;
  PersistenceConfig config;
};

Record upload(Client& client, int seed) {
  const std::string bytes = tiny_png(seed);
  Record metadata;
  metadata.title = "tiny " + std::to_string(seed);
  return client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), metadata,
                             "tiny.png");
}

TEST(ClientAsync, FiftyPendingWaitsLeaveTheTwoBackgroundThreadsFree) {
  TempDir dir;
  BlockedStore store(dir.path());
  auto client = store.open_client();

  std::vector<Record> pending;
  for (int i = 0; i < 50; ++i) pending.push_back(upload(client, i));
  std::vector<std::future<Record>> waits;
  for (const auto& record : pending) {
    waits.push_back(async_wait_persisted(client, record.id, 120s, boost::asio::use_future));
  }
  for (auto& wait : waits) {
    ASSERT_EQ(wait.wait_for(0s), std::future_status::timeout) << "a record settled too early";
  }

  // Work that needs the client's two background threads gets them while 50 waits are pending.
  auto got = async_get(client, pending.front().id, boost::asio::use_future);
  ASSERT_EQ(got.wait_for(2s), std::future_status::ready)
      << "pending waits starve the client's background threads";
  EXPECT_EQ(got.get().id, pending.front().id);

  store.unblock();
  for (std::size_t i = 0; i < waits.size(); ++i) {
    ASSERT_EQ(waits[i].wait_for(60s), std::future_status::ready) << "wait " << i << " starved";
    const Record settled = waits[i].get();
    EXPECT_EQ(settled.id, pending[i].id);
    EXPECT_EQ(settled.storage_persist_status, PersistStatus::succeeded)
        << settled.storage_persist_error.value_or("");
  }
}

TEST(ClientAsync, AWaitEndsAtItsTimeoutWithTheRecordStillPending) {
  TempDir dir;
  BlockedStore store(dir.path());
  auto client = store.open_client();
  const Record record = upload(client, 1);
  const auto started = std::chrono::steady_clock::now();
  const Record after =
      async_wait_persisted(client, record.id, 300ms, boost::asio::use_future).get();
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(after.storage_persist_status, PersistStatus::pending);
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 1500ms);
}

TEST(ClientAsync, AWaitForAnUnknownRecordFailsNamingIt) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(PersistenceConfig{});
  auto wait = async_wait_persisted(client, "no-such-record", 10s, boost::asio::use_future);
  try {
    wait.get();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("no-such-record"), std::string::npos) << e.what();
  }
}

TEST(ClientAsync, ClosingTheClientCompletesOperationsInFlight) {
  TempDir dir;
  std::future<Record> wait;
  std::vector<std::future<Record>> gets;
  {
    BlockedStore store(dir.path());
    auto client = store.open_client();
    const Record record = upload(client, 7);
    wait = async_wait_persisted(client, record.id, 10min, boost::asio::use_future);
    for (int i = 0; i < 20; ++i)
      gets.push_back(async_get(client, record.id, boost::asio::use_future));
  }
  // Closed while waiting: the wait ends at once with Errc::closed, not after its 10 minutes.
  ASSERT_EQ(wait.wait_for(5s), std::future_status::ready);
  try {
    wait.get();
    FAIL() << "the wait outlived its client";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::closed) << e.what();
  }
  // Each queued get either ran before the close or was refused with Errc::closed; none was lost.
  for (auto& get : gets) {
    ASSERT_EQ(get.wait_for(5s), std::future_status::ready);
    try {
      EXPECT_FALSE(get.get().id.empty());
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::closed) << e.what();
    }
  }
}

// While a record is pending its palette is sampled again from the staged copy, in the
// background, and is the palette persistence then samples.
TEST(ClientAsync, APaletteIsSampledAgainFromTheStagedCopy) {
  TempDir dir;
  BlockedStore store(dir.path());
  auto client = store.open_client();
  const Record pending = client.upload_file(PINDECK_TEST_DATA "/images/truchet-l.webp");
  ASSERT_TRUE(pending.storage_id);
  auto resampled = async_resample_palette(client, pending.id, boost::asio::use_future);
  const Record sampled = resampled.get();
  ASSERT_TRUE(sampled.colors && !sampled.colors->empty());
  EXPECT_EQ(sampled.storage_persist_status, PersistStatus::pending);
  RecordQuery near;
  near.color = sampled.colors->front();
  near.color_distance = 0;
  EXPECT_EQ(client.list(near).records.size(), 1u);

  store.unblock();
  const Record done = client.wait_persisted(pending.id, 120s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(done.colors, sampled.colors);

  auto missing = async_resample_palette(client, "no-such-id", boost::asio::use_future);
  try {
    missing.get();
    ADD_FAILURE() << "resampled a record that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
}

}  // namespace
}  // namespace pindeck
