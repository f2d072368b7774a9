// SPDX-License-Identifier: Apache-2.0
// pindeck::Client's deletions against the real S3 server (radosgw on 127.0.0.1, DESIGN §6.8):
// after upload and wait, deletion leaves no object under the records' keys (the bucket prefix is
// listed), no staged copy, no job and no search hit; a client that never started persistence
// cleans up on the store its environment names; an unreachable store leaves the removal queued
// until it is back, and an upload that goes through once it is back ends the removal's backoff.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "catalog/record_removal.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "catalog_fixture.hpp"
#include "fault_proxy.hpp"
#include "generated_images.hpp"
#include "pindeck/client.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3_test_env.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::port_of;
using pindeck::test::TempDir;

std::string unique_prefix(const std::string& test) {
  return "t-" + test + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

PersistenceConfig s3_config(const std::string& prefix) {
  const auto server = test::load_s3_test_server();
  PersistenceConfig config;
  config.s3 = server.settings;
  config.bucket = server.bucket;
  config.key_prefix = prefix;
  config.poll_interval = 50ms;
  config.retry_min_delay = 100ms;
  config.retry_max_delay = 400ms;
  return config;
}

std::set<std::string> listed(const std::string& prefix) {
  const auto server = test::load_s3_test_server();
  pipeline::S3ObjectStore store(server.settings, server.bucket);
  const auto keys = store.list(prefix + "/");
  return {keys.begin(), keys.end()};
}

std::set<std::string> keys_of(const std::vector<Record>& records) {
  std::set<std::string> keys;
  for (const auto& r : records) {
    for (auto& key : catalog::object_keys_of(r)) keys.insert(std::move(key));
  }
  return keys;
}

std::vector<Record> upload_and_wait(Client& client, int count, const std::string& tag) {
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    Record metadata;
    metadata.title = tag + " frame " + std::to_string(i);
    const auto bytes = test::encode(test::gradient(48 + i, 32).get(), ".jpg");
    records.push_back(client.upload_bytes(bytes, metadata, "f.jpg"));
  }
  for (auto& r : records) {
    r = client.wait_persisted(r.id, 60s);
    EXPECT_EQ(r.storage_persist_status, PersistStatus::succeeded) << *r.storage_persist_error;
  }
  return records;
}

std::int64_t delete_jobs_in(const std::filesystem::path& data_dir) {
  auto catalog = test::client_catalog(data_dir);
  return catalog->delete_jobs("reader", 1s)->count();
}

std::size_t staged_files(const std::filesystem::path& data_dir) {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator(data_dir / "staging"), {}));
}

TEST(ClientDeleteS3, AfterUploadAndWaitDeletionLeavesNothingInTheBucket) {
  TempDir dir;
  const auto prefix = unique_prefix("delete");
  auto client = Client::open(dir.path());
  client.start_persistence(s3_config(prefix));
  const auto records = upload_and_wait(client, 3, "lagoon");
  ASSERT_EQ(listed(prefix), keys_of(records));
  ASSERT_EQ(listed(prefix).size(), 15u);
  ASSERT_EQ(client.search("lagoon").records.size(), 3u);

  const auto report = client.remove(std::vector<std::string>{records[0].id, records[2].id});
  EXPECT_EQ(report.records.size(), 2u);
  EXPECT_EQ(report.cleanup_pending, 0u);
  EXPECT_EQ(listed(prefix), keys_of({records[1]}));
  EXPECT_EQ(staged_files(dir.path()), 0u);
  EXPECT_EQ(delete_jobs_in(dir.path()), 0);
  const auto hits = client.search("lagoon").records;
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, records[1].id);
}

TEST(ClientDeleteS3, AClientWithoutPersistenceCleansUpOnTheStoreItsEnvironmentNames) {
  TempDir dir;
  const auto prefix = unique_prefix("delete-env");
  std::vector<Record> records;
  {
    auto uploader = Client::open(dir.path());
    uploader.start_persistence(s3_config(prefix));
    records = upload_and_wait(uploader, 2, "dune");
  }
  ASSERT_EQ(listed(prefix).size(), 10u);

  // Without settings for this bucket the removal cannot run: it stays queued, nothing is lost.
  test::ScopedEnv env;
  for (const char* name :
       {"PINDECK_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "PINDECK_S3_BUCKET"}) {
    env.unset(name);
  }
  {
    auto local_only = Client::open(dir.path());
    const auto report = local_only.remove(records[0].id);
    EXPECT_EQ(report.cleanup_pending, 1u);
    EXPECT_EQ(listed(prefix).size(), 10u);
    EXPECT_EQ(delete_jobs_in(dir.path()), 1);
  }

  const auto server = test::load_s3_test_server();
  env.set("PINDECK_S3_ENDPOINT", server.settings.endpoint.c_str());
  env.set("PINDECK_S3_ACCESS_KEY", server.settings.access_key.c_str());
  env.set("PINDECK_S3_SECRET_KEY", server.settings.secret_key.c_str());
  env.set("PINDECK_S3_REGION", server.settings.region.c_str());
  env.set("PINDECK_S3_BUCKET", server.bucket.c_str());
  auto client = Client::open(dir.path());
  EXPECT_EQ(client.finish_cleanup(30s), 0u);
  EXPECT_EQ(listed(prefix), keys_of({records[1]}));
  EXPECT_EQ(delete_jobs_in(dir.path()), 0);
}

// A removal that failed while the store was down waits with backoff (up to a minute). The first
// upload that goes through once the store is back ends that wait, so the objects go at once.
TEST(ClientDeleteS3, AnUploadThatGoesThroughEndsTheBackoffOfARemovalThatFailed) {
  TempDir dir;
  const auto prefix = unique_prefix("delete-backoff");
  auto config = s3_config(prefix);
  test::FaultProxy proxy("127.0.0.1", port_of(config.s3->endpoint));
  config.s3->endpoint = proxy.endpoint();
  auto client = Client::open(dir.path());
  client.start_persistence(config);
  const auto records = upload_and_wait(client, 2, "ember");
  ASSERT_EQ(listed(prefix), keys_of(records));

  proxy.take_down();
  EXPECT_EQ(client.remove(records[0].id).cleanup_pending, 1u);
  // As after many failed attempts: the next one is ten minutes away.
  {
    auto catalog = catalog::SqliteCatalog::open(dir.path() / "catalog.sqlite");
    catalog->write([](catalog::Database& db) {
      db.prepare("UPDATE delete_jobs SET next_attempt_at = next_attempt_at + 600000").run();
    });
  }

  proxy.bring_up();
  upload_and_wait(client, 1, "after");
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (delete_jobs_in(dir.path()) > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(delete_jobs_in(dir.path()), 0) << "the removal still waits for its backoff";
  EXPECT_TRUE(
      std::ranges::none_of(catalog::object_keys_of(records[0]),
                           [&](const std::string& key) { return listed(prefix).contains(key); }));
  for (const auto& key : catalog::object_keys_of(records[1])) {
    EXPECT_TRUE(listed(prefix).contains(key)) << key;
  }
}

}  // namespace
}  // namespace pindeck
