// SPDX-License-Identifier: Apache-2.0
// Client::verify on the embedded local object store (DESIGN §6.9): the damage scenario, resuming
// an interrupted run, and refused options.
#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>
#include <functional>
#include <future>
#include <stdexcept>
#include <string>

#include "expect_error.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/local_object_store.hpp"
#include "quick_persistence.hpp"
#include "temp_dir.hpp"
#include "verify_scenario.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

// Uploads a small JPEG with `metadata` and waits until its objects are in the store; throws (so
// the test stops, failed) if they never get there.
Record upload_persisted(Client& client, const Record& metadata = {}) {
  const auto jpeg = test::encode(test::gradient(200, 100).get(), ".jpg");
  Record persisted = client.wait_persisted(client.upload_bytes(jpeg, metadata).id, 30s);
  if (persisted.storage_persist_status != PersistStatus::succeeded) {
    std::string message = "the upload did not persist: ";
    message += persisted.storage_persist_error.value_or("still pending");
    throw std::runtime_error(message);
  }
  return persisted;
}

TEST(ClientVerify, FindsAndRepairsDamageOnTheLocalStore) {
  TempDir dir;
  auto client = Client::open(dir.path() / "data");
  const auto config = test::quick_persistence();
  client.start_persistence(config);
  pipeline::LocalObjectStore store(dir.path() / "data" / "objects", config.bucket);
  test::run_verify_scenario(client, store, config, dir.path());
}

TEST(ClientVerify, AnInterruptedRunContinuesWhereItStopped) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  const Record persisted = upload_persisted(client);
  // 150 more records naming the same objects (as a host's import may): two pages of 100.
  std::vector<Record> copies(150, persisted);
  for (auto& copy : copies) {
    copy.id.clear();
    copy.unique_id.clear();
  }
  client.create_batch(copies);
  const std::string removed = *persisted.preview_storage_path;
  std::filesystem::remove(dir.path() / "objects" / "pindeck" / removed);

  std::vector<VerifyProgress> seen;
  VerifyOptions stop_after_one_page;
  stop_after_one_page.progress = [&](const VerifyProgress& p) {
    seen.push_back(p);
    return false;
  };
  const VerifyReport first = client.verify(stop_after_one_page);
  EXPECT_FALSE(first.complete);
  EXPECT_FALSE(first.resumed);
  EXPECT_EQ(first.records_checked, 100u);
  EXPECT_EQ(first.findings.size(), 100u);  // the preview every record of the page names
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].records_done, 100u);
  EXPECT_EQ(seen[0].records_total, 151u);

  seen.clear();
  VerifyOptions go_on;
  go_on.progress = [&](const VerifyProgress& p) {
    seen.push_back(p);
    return true;
  };
  const VerifyReport second = client.verify(go_on);
  EXPECT_TRUE(second.complete);
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.records_checked, 151u);
  EXPECT_EQ(second.objects_checked, 151u * 5);
  EXPECT_EQ(second.findings.size(), 151u);
  ASSERT_EQ(seen.size(), 1u) << "the resumed run went over the first page again";
  EXPECT_EQ(seen[0].records_done, 151u);

  // Complete: the next run starts over.
  const VerifyReport third = client.verify();
  EXPECT_FALSE(third.resumed);
  EXPECT_EQ(third.records_checked, 151u);
}

TEST(ClientVerify, ASavedPositionIsDroppedWithRestartAndKeptPerFilter) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  Record meta;
  meta.category = "Walls";
  upload_persisted(client, meta);
  VerifyOptions stop;
  stop.filter.category = "Walls";
  stop.progress = [](const VerifyProgress&) { return false; };
  EXPECT_FALSE(client.verify(stop).complete);

  VerifyOptions other_filter;
  other_filter.filter.category = "Floors";
  EXPECT_FALSE(client.verify(other_filter).resumed);
  EXPECT_FALSE(client.verify(other_filter).orphans_checked);

  VerifyOptions restart;
  restart.filter.category = "Walls";
  restart.restart = true;
  const auto fresh = client.verify(restart);
  EXPECT_FALSE(fresh.resumed);
  EXPECT_EQ(fresh.records_checked, 1u);
}

TEST(ClientVerify, RecordsNotYetPersistedAreCountedNotChecked) {
  TempDir dir;
  auto client = Client::open(dir.path());
  Record pending;
  pending.storage_persist_status = PersistStatus::pending;
  client.create(pending);
  client.start_persistence(test::quick_persistence());
  const auto report = client.verify();
  EXPECT_EQ(report.records_not_persisted, 1u);
  EXPECT_EQ(report.records_checked, 0u);
  EXPECT_EQ(report.objects_checked, 0u);
}

TEST(ClientVerify, BadOptionsAreRefusedNamingThem) {
  TempDir dir;
  auto client = Client::open(dir.path());
  VerifyOptions options;
  options.max_in_flight = 0;
  test::expect_error([&] { client.verify(options); }, Errc::invalid, "max_in_flight");
  options.max_in_flight = 65;
  test::expect_error([&] { client.verify(options); }, Errc::invalid, "max_in_flight");
  // Orphans are only looked for over every record: any condition of the filter refuses them.
  const std::vector<std::function<void(RecordQuery&)>> conditions{
      [](RecordQuery& q) { q.category = "Walls"; },
      [](RecordQuery& q) { q.moodboard_name = "Pink"; },
      [](RecordQuery& q) { q.status = RecordStatus::draft; },
      [](RecordQuery& q) { q.genre = "Noir"; },
      [](RecordQuery& q) { q.style = "VHS"; },
      [](RecordQuery& q) { q.shot = "Close-up"; },
      [](RecordQuery& q) { q.ai_status = AiStatus::queued; },
      [](RecordQuery& q) { q.variation_type = VariationType::style; },
      [](RecordQuery& q) { q.tags = {"sea"}; },
      [](RecordQuery& q) { q.originals_only = true; },
      [](RecordQuery& q) { q.color = "#123456"; }};
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    SCOPED_TRACE("condition " + std::to_string(i));
    VerifyOptions filtered_delete;
    conditions[i](filtered_delete.filter);
    filtered_delete.delete_orphans = true;
    test::expect_error([&] { client.verify(filtered_delete); }, Errc::invalid, "delete_orphans");
  }
}

TEST(ClientVerify, TheAsyncFormCompletesWithTheReport) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  upload_persisted(client);
  auto report = async_verify(client, VerifyOptions{}, boost::asio::use_future).get();
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(report.records_checked, 1u);
  EXPECT_EQ(report.objects_checked, 5u);
}

// Two runs of one scope would save over each other's position: the second is refused while the
// first runs (and changes nothing), a run of another scope goes on, and once the first is done
// the same scope runs again.
TEST(ClientVerify, ASecondRunOfTheSameScopeIsRefusedWhileTheFirstRuns) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  Record metadata;
  metadata.category = "Plates";
  upload_persisted(client, metadata);

  std::promise<void> first_is_running;
  std::promise<void> let_it_finish;
  VerifyOptions held;
  held.progress = [&, waiting = let_it_finish.get_future().share()](const VerifyProgress&) {
    first_is_running.set_value();
    waiting.wait();
    return true;
  };
  auto first = std::async(std::launch::async, [&] { return client.verify(held); });
  first_is_running.get_future().wait();

  test::expect_error([&] { client.verify(); }, Errc::conflict, "in progress");
  VerifyOptions repair;
  repair.repair = true;  // another scope
  EXPECT_TRUE(client.verify(repair).complete);

  let_it_finish.set_value();
  const VerifyReport done = first.get();
  EXPECT_TRUE(done.complete);
  EXPECT_FALSE(done.resumed) << "the refused run must not have touched the first one's position";
  EXPECT_EQ(done.records_checked, 1u);
  EXPECT_TRUE(client.verify().complete);
}

}  // namespace
}  // namespace pindeck
