// SPDX-License-Identifier: Apache-2.0
// pindeck::Client's persistence API on the embedded local store: blocking forms, and the
// asynchronous forms with a callback, use_future and use_awaitable.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <future>
#include <sstream>

#include "expect_error.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "quick_persistence.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

TEST(ClientPersistence, BlockingUploadFromAStreamThenWait) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  std::ifstream in(pindeck::test::sample_images()[2], std::ios::binary);
  Record metadata;
  metadata.tags = {"pattern"};
  const Record pending = client.upload_stream(in, metadata, "truchet.webp");
  EXPECT_EQ(pending.title, "truchet");
  EXPECT_EQ(pending.storage_persist_status, PersistStatus::pending);
  const Record done = client.wait_persisted(pending.id, 60s);
  EXPECT_EQ(done.storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(done.tags, std::vector<std::string>{"pattern"});
  EXPECT_EQ(client.get(pending.id), done);
  test::expect_error([&] { client.start_persistence(test::quick_persistence()); }, Errc::conflict);
}

// Objects read back through the library, by a client that has not started persistence (so it
// reads the store the settings name: the local store here), byte for byte as stored.
TEST(ClientPersistence, ReadObjectGivesTheStoredBytes) {
  TempDir dir;
  const auto image = pindeck::test::sample_images()[2];
  Record done;
  {
    auto writer = Client::open(dir.path());
    writer.start_persistence(test::quick_persistence());
    done = writer.wait_persisted(writer.upload_file(image).id, 60s);
  }
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded);
  ASSERT_TRUE(done.storage_path && done.derivative_storage_paths);
  auto reader = Client::open(dir.path());
  const auto as_string = [](const std::vector<std::byte>& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  EXPECT_EQ(as_string(reader.read_object(*done.storage_path)), pindeck::test::read_file(image));
  const std::string small_key = done.derivative_storage_paths->small.value_or("");
  ASSERT_FALSE(small_key.empty());
  EXPECT_EQ(as_string(reader.read_object(small_key)),
            pindeck::test::read_file(dir.path() / "objects" / "pindeck" / small_key));
  const auto missing = small_key.substr(0, small_key.rfind('/')) + "/none.webp";
  test::expect_error([&] { reader.read_object(missing); }, Errc::not_found, missing);
  test::expect_error([&] { reader.read_object("../catalog.sqlite"); }, Errc::invalid);
  test::expect_error([&] { reader.read_object(""); }, Errc::invalid);
}

TEST(ClientPersistence, AsyncWithACallback) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  std::promise<Record> uploaded;
  async_upload_file(client, pindeck::test::sample_images()[2], Record{},
                    [&](std::exception_ptr error, Record record) {
                      if (error) {
                        uploaded.set_exception(error);
                      } else {
                        uploaded.set_value(std::move(record));
                      }
                    });
  const Record pending = uploaded.get_future().get();
  std::promise<Record> persisted;
  async_wait_persisted(client, pending.id, 60s, [&](std::exception_ptr error, Record record) {
    if (error) {
      persisted.set_exception(error);
    } else {
      persisted.set_value(std::move(record));
    }
  });
  EXPECT_EQ(persisted.get_future().get().storage_persist_status, PersistStatus::succeeded);
}

TEST(ClientPersistence, AsyncWithUseFutureDeliversErrorsAsExceptions) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  auto refused =
      async_upload_bytes(client, "not an image", Record{}, "x.jpg", boost::asio::use_future);
  try {
    refused.get();
    FAIL() << "non-image accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
  }
  auto missing = async_get(client, "no-such-id", boost::asio::use_future);
  test::expect_error([&] { missing.get(); }, Errc::not_found);
  auto backfilled = async_backfill(client, 10, boost::asio::use_future);
  EXPECT_EQ(backfilled.get(), 0);
  auto refused_options = async_backfill(client, BackfillOptions{0}, boost::asio::use_future);
  test::expect_error([&] { refused_options.get(); }, Errc::invalid);
}

// A record that failed for good is rescheduled only when the backfill's options ask for it.
TEST(ClientPersistence, AsyncBackfillWithOptionsIncludesPermanentFailuresOnlyWhenAsked) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  const std::string damaged = test::undecodable_png();
  const Record broken = client.upload_bytes(
      std::as_bytes(std::span(damaged.data(), damaged.size())), Record{}, "broken.png");
  const Record failed = client.wait_persisted(broken.id, 60s);
  ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);

  EXPECT_EQ(async_backfill(client, BackfillOptions{50, false}, boost::asio::use_future).get(), 0);
  EXPECT_EQ(client.get(broken.id).storage_persist_status, PersistStatus::failed);
  EXPECT_EQ(async_backfill(client, BackfillOptions{50, true}, boost::asio::use_future).get(), 1);
}

TEST(ClientPersistence, AsyncWithUseAwaitable) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  boost::asio::io_context io;
  std::optional<Record> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        // Arguments are named first: GCC 12 mishandles temporaries inside a co_await
        // expression.
        const auto path = pindeck::test::sample_images()[2];
        const Record metadata;
        auto upload = async_upload_file(client, path, metadata, boost::asio::use_awaitable);
        const Record pending = co_await std::move(upload);
        auto wait = async_wait_persisted(client, pending.id, 60s, boost::asio::use_awaitable);
        co_await std::move(wait);
        auto get = async_get(client, pending.id, boost::asio::use_awaitable);
        result = co_await std::move(get);
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(result->storage_provider, StorageProvider::local);
}

}  // namespace
}  // namespace pindeck
