// SPDX-License-Identifier: Apache-2.0
// Hosts sharing one PostgreSQL catalog (DESIGN §6, scale-out), each with its own data directory:
// two Clients in one process stand for two hosts, since nothing but the catalog connects them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>

#include "expect_error.hpp"
#include "pg_test_env.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "quick_persistence.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::filesystem::path large_image =
    std::filesystem::path(PINDECK_TEST_DATA) / "images" / "flow-5120x2880.jpg";

class ScaleOut : public ::testing::Test {
 protected:
  test::TempDir dir;
  OpenOptions shared{test::pg_database_for(dir.path() / "catalog")};
};

TEST_F(ScaleOut, AWaitOnOneHostIsWokenByAWorkerOnAnotherSoonAfterTheCommit) {
  Client bot = Client::open(dir.path() / "bot", shared);
  Client web = Client::open(dir.path() / "web", shared);
  bot.start_persistence(test::quick_persistence());
  // The web host's own poll would find the record only after a minute: the notice must wake it.
  PersistenceConfig slow_poll = test::quick_persistence();
  slow_poll.poll_interval = 60s;
  web.start_persistence(slow_poll);

  const Record uploaded = bot.upload_file(large_image);
  auto web_wait = std::async(std::launch::async, [&] {
    Record settled = web.wait_persisted(uploaded.id, 30s);
    return std::make_pair(settled, Clock::now());
  });
  const Record on_bot = bot.wait_persisted(uploaded.id, 30s);
  const auto bot_woken = Clock::now();
  const auto [on_web, web_woken] = web_wait.get();

  ASSERT_EQ(on_bot.storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(on_web, on_bot);
  EXPECT_LT(web_woken - bot_woken, 200ms)
      << "the web host woke "
      << std::chrono::duration_cast<std::chrono::milliseconds>(web_woken - bot_woken).count()
      << " ms after the host whose worker committed";
}

TEST_F(ScaleOut, EachHostPersistsWhatItStagedAndBothSeeEveryRecord) {
  Client a = Client::open(dir.path() / "a", shared);
  Client b = Client::open(dir.path() / "b", shared);
  a.start_persistence(test::quick_persistence());
  b.start_persistence(test::quick_persistence());
  std::vector<Record> from_a;
  std::vector<Record> from_b;
  for (int i = 0; i < 3; ++i) {
    Record meta;
    meta.title = std::string("a").append(std::to_string(i));
    from_a.push_back(a.upload_file(large_image, meta));
    meta.title = std::string("b").append(std::to_string(i));
    from_b.push_back(b.upload_file(large_image, meta));
  }
  // Each host's objects land in its own local store, so where an object is says which host's
  // worker persisted the record.
  const auto persisted_by = [&](const Record& r, const std::filesystem::path& data_dir) {
    return std::filesystem::exists(data_dir / "objects" / "pindeck" / *r.storage_path);
  };
  for (const auto& r : from_a) {
    const Record done = b.wait_persisted(r.id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded) << r.id;
    EXPECT_TRUE(persisted_by(done, dir.path() / "a")) << r.id;
    EXPECT_FALSE(persisted_by(done, dir.path() / "b")) << "host b took a job staged on a";
  }
  for (const auto& r : from_b) {
    const Record done = a.wait_persisted(r.id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded) << r.id;
    EXPECT_TRUE(persisted_by(done, dir.path() / "b")) << r.id;
    EXPECT_FALSE(persisted_by(done, dir.path() / "a")) << "host a took a job staged on b";
  }
  EXPECT_EQ(a.list({}).records.size(), 6u);
  EXPECT_EQ(b.list({}).records.size(), 6u);
}

TEST_F(ScaleOut, ABadCatalogLocationIsRefusedWithoutItsPasswordAndCreatesNothing) {
  const auto data_dir = dir.path() / "never";
  test::expect_error([&] { Client::open(data_dir, {"mysql://u:hunter22@127.0.0.1/db"}); },
                     Errc::invalid, "unknown kind 'mysql:'");
  test::expect_error([&] { Client::open(data_dir, {"host=127.0.0.1 password=hunter22"}); },
                     Errc::invalid, "neither sqlite:<path> nor a postgresql:// URL");
  // Port 1 on loopback: nothing listens there.
  try {
    Client::open(data_dir, {"postgresql://pindeck:hunter22@127.0.0.1:1/db?connect_timeout=5"});
    ADD_FAILURE() << "an unreachable server was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network) << e.what();
    EXPECT_NE(std::string(e.what()).find("postgresql://pindeck@127.0.0.1:1/db"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter22"), std::string::npos) << e.what();
  }
  std::string wrong_password = shared.catalog;
  wrong_password.replace(wrong_password.find(':', 13) + 1,
                         wrong_password.find('@') - wrong_password.find(':', 13) - 1, "hunter22");
  try {
    Client::open(data_dir, {wrong_password});
    ADD_FAILURE() << "a wrong password was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::database) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter22"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(data_dir));
}

}  // namespace
}  // namespace pindeck
