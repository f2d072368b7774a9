// SPDX-License-Identifier: Apache-2.0
// pindeck::Client's deletions on the embedded local object store (DESIGN §6.8): after upload and
// wait, a deletion leaves no object, staged copy, job or search hit; bulk and filtered deletion,
// dry runs, families, the asynchronous forms; and SIGKILL at ten points of a bulk deletion of 20
// records, then a restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/use_future.hpp>
#include <iostream>
#include <set>
#include <thread>

#include "catalog/record_removal.hpp"
#include "catalog_fixture.hpp"
#include "generated_images.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/local_object_store.hpp"
#include "quick_persistence.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::TempDir;

// Deletions without a started engine use the store the environment names: here, the local one.
void without_s3_settings(test::ScopedEnv& env) {
  for (const char* name :
       {"PINDECK_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "PINDECK_S3_BUCKET"}) {
    env.unset(name);
  }
}

// A small real image, different for each `n`.
std::string small_png(int n) {
  const auto bytes = test::encode(test::gradient(40 + n, 30 + n % 7).get(), ".png");
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<Record> upload_and_wait(Client& client, int count, const std::string& tag) {
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    Record metadata;
    metadata.title = tag + " picture " + std::to_string(i);
    metadata.tags = {tag};
    const std::string bytes = small_png(i);
    records.push_back(client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())),
                                          metadata, "p.png"));
  }
  for (auto& r : records) {
    r = client.wait_persisted(r.id, 60s);
    EXPECT_EQ(r.storage_persist_status, PersistStatus::succeeded);
  }
  return records;
}

std::set<std::string> keys_of(const std::vector<Record>& records) {
  std::set<std::string> keys;
  for (const auto& r : records) {
    for (auto& key : catalog::object_keys_of(r)) keys.insert(std::move(key));
  }
  return keys;
}

struct Stores {
  explicit Stores(const std::filesystem::path& dir)
      : data_dir(dir), objects(dir / "objects", "pindeck") {}

  std::set<std::string> listed() {
    const auto keys = objects.list("media-uploads/");
    return {keys.begin(), keys.end()};
  }
  std::size_t staged_files() {
    if (!std::filesystem::exists(data_dir / "staging")) return 0;
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(data_dir / "staging"), {}));
  }
  // Persist jobs and delete jobs still in the catalog, read from a connection of its own.
  std::pair<std::int64_t, std::int64_t> jobs() {
    auto catalog = test::client_catalog(data_dir);
    return {catalog->persist_jobs("reader", 1s)->counts().queued,
            catalog->delete_jobs("reader", 1s)->count()};
  }

  std::filesystem::path data_dir;
  pipeline::LocalObjectStore objects;
};

TEST(ClientDelete, AfterUploadAndWaitDeletionLeavesNoObjectStagedCopyJobOrSearchHit) {
  test::ScopedEnv env;
  without_s3_settings(env);
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  const auto records = upload_and_wait(client, 3, "harbour");
  Stores stores(dir.path());
  // Everything exists before the deletion.
  ASSERT_EQ(stores.listed(), keys_of(records));
  ASSERT_EQ(stores.listed().size(), 15u);
  ASSERT_EQ(client.search("harbour").records.size(), 3u);

  const auto report = client.remove(std::vector<std::string>{records[0].id, records[1].id});
  ASSERT_EQ(report.records.size(), 2u);
  EXPECT_EQ(report.cleanup_pending, 0u);
  EXPECT_EQ(report.records[0].object_keys.size(), 5u);

  EXPECT_EQ(stores.listed(), keys_of({records[2]}));
  EXPECT_EQ(stores.staged_files(), 0u);
  EXPECT_EQ(stores.jobs(), std::make_pair(std::int64_t{0}, std::int64_t{0}));
  const auto hits = client.search("harbour").records;
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, records[2].id);
  RecordQuery by_tag;
  by_tag.tags = {"harbour"};
  EXPECT_EQ(client.list(by_tag).records.size(), 1u);
  EXPECT_THROW(client.get(records[0].id), Error);
}

TEST(ClientDelete, AClientThatNeverStartedPersistenceCleansUpToo) {
  test::ScopedEnv env;
  without_s3_settings(env);
  TempDir dir;
  std::vector<Record> records;
  {
    auto uploader = Client::open(dir.path());
    uploader.start_persistence(test::quick_persistence());
    records = upload_and_wait(uploader, 2, "field");
  }
  Stores stores(dir.path());
  ASSERT_EQ(stores.listed().size(), 10u);
  auto client = Client::open(dir.path());
  const auto report = client.remove(records[0].id);
  EXPECT_EQ(report.cleanup_pending, 0u);
  EXPECT_EQ(stores.listed(), keys_of({records[1]}));
  EXPECT_EQ(stores.jobs().second, 0);
}

TEST(ClientDelete, APendingRecordLosesItsStagedCopy) {
  test::ScopedEnv env;
  without_s3_settings(env);
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(test::quick_persistence());
  const std::string bytes = small_png(1);
  const Record r =
      client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), {}, "p.png");
  Stores stores(dir.path());
  ASSERT_EQ(stores.staged_files(), 1u);
  // Deleted while its job may be running: the removal then waits for the job's uploads to end
  // (well before the 30 s lease), not for the lease.
  client.remove(r.id);
  EXPECT_EQ(client.finish_cleanup(10s), 0u);
  EXPECT_EQ(stores.staged_files(), 0u);
  EXPECT_TRUE(stores.listed().empty());
  EXPECT_EQ(stores.jobs(), std::make_pair(std::int64_t{0}, std::int64_t{0}));
}

TEST(ClientDelete, FamiliesDryRunsFiltersAndAsynchronousForms) {
  test::ScopedEnv env;
  without_s3_settings(env);
  TempDir dir;
  auto client = Client::open(dir.path());
  Record parent_in;
  parent_in.title = "parent";
  parent_in.category = "Sets";
  const Record parent = client.create(parent_in);
  Record child_in;
  child_in.title = "child";
  child_in.category = "Sets";
  child_in.parent_image_id = parent.id;
  const Record child = client.create(child_in);
  Record other_in;
  other_in.title = "other";
  const Record other = client.create(other_in);

  try {
    client.remove(parent.id);
    FAIL() << "a parent with a variation was deleted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::conflict);
    EXPECT_NE(std::string(e.what()).find("variation"), std::string::npos) << e.what();
  }
  const auto dry = client.remove(parent.id, {.family = true, .dry_run = true});
  ASSERT_EQ(dry.records.size(), 2u);
  EXPECT_EQ(dry.records[0].record.id, child.id);
  EXPECT_EQ(dry.records[1].record.id, parent.id);
  EXPECT_EQ(client.get(child.id), child);

  RecordQuery sets;
  sets.category = "Sets";
  auto dry_where = async_remove_where(client, sets, {.dry_run = true}, boost::asio::use_future);
  EXPECT_EQ(dry_where.get().records.size(), 2u);
  auto gone = async_remove_where(client, sets, {}, boost::asio::use_future);
  EXPECT_EQ(gone.get().records.size(), 2u);
  EXPECT_THROW(client.get(parent.id), Error);

  auto missing = async_remove(client, {other.id, "no-such-id"}, {}, boost::asio::use_future);
  try {
    missing.get();
    FAIL() << "a missing id was not reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
  EXPECT_EQ(client.get(other.id), other) << "all or nothing";
  EXPECT_TRUE(client.remove_where(sets).records.empty());
}

// ---- SIGKILL during a bulk deletion ----

pid_t spawn_delete_child(const std::filesystem::path& data_dir,
                         const std::vector<std::string>& ids) {
  // A short lease, so a restart takes over what a killed process held within seconds.
  std::vector<std::string> args = {DELETE_CHILD, data_dir.string(), "--lease-ms", "1500"};
  args.insert(args.end(), ids.begin(), ids.end());
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ClientDelete, KilledAtTenPointsOfABulkDeletionThenRestartedLeavesExactlyTheKeptObjects) {
  test::ScopedEnv env;
  without_s3_settings(env);
  TempDir work;
  const auto original = work.path() / "original";
  std::vector<Record> records;
  {
    auto client = Client::open(original);
    client.start_persistence(test::quick_persistence());
    records = upload_and_wait(client, 30, "bulk");
  }
  std::vector<std::string> doomed;
  for (std::size_t i = 0; i < 20; ++i) doomed.push_back(records[i].id);

  auto fresh_copy = [&](const std::string& name) {
    const auto dir = work.path() / name;
    std::filesystem::copy(original, dir, std::filesystem::copy_options::recursive);
    return dir;
  };
  std::set<std::string> states_at_kill;
  for (int point = 0; point < 10; ++point) {
    SCOPED_TRACE("kill point " + std::to_string(point));
    const auto dir = fresh_copy("run-" + std::to_string(point));
    Stores stores(dir);
    const pid_t child = spawn_delete_child(dir, doomed);
    // Point 0 kills at once (before the deletion commits); point p once about 11p of the doomed
    // records' 100 objects are gone, so the kills land all through the removal.
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (stores.listed().size() > 150u - 11u * static_cast<unsigned>(point) &&
           std::chrono::steady_clock::now() < give_up) {
    }
    kill(child, SIGKILL);
    wait_exit(child);

    auto catalog_after_kill = test::client_catalog(dir);
    std::size_t records_left = 0;
    for (const auto& id : doomed) records_left += catalog_after_kill->find(id) ? 1 : 0;
    catalog_after_kill.reset();
    states_at_kill.insert(std::to_string(records_left) + " records/" +
                          std::to_string(stores.listed().size()) + " objects");

    ASSERT_EQ(wait_exit(spawn_delete_child(dir, {})), 0) << "the restart did not finish";
    auto catalog = test::client_catalog(dir);
    std::vector<Record> present;
    for (const auto& r : records) {
      if (auto found = catalog->find(r.id)) present.push_back(*found);
    }
    // The deletion is one transaction: all 20 went, or none did.
    EXPECT_TRUE(present.size() == 10 || present.size() == 30) << present.size();
    EXPECT_EQ(stores.listed(), keys_of(present)) << "an orphan, or a kept record's object lost";
    EXPECT_EQ(stores.jobs().second, 0);
    EXPECT_EQ(stores.staged_files(), 0u);
  }
  std::string states;
  for (const auto& s : states_at_kill) states += " [" + s + "]";
  RecordProperty("states_at_kill", states);
  std::cout << "doomed records and objects left at the 10 kills:" << states << '\n';
  EXPECT_GE(states_at_kill.size(), 4u);
}

}  // namespace
}  // namespace pindeck
