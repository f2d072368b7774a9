// SPDX-License-Identifier: Apache-2.0
// Hosts sharing one PostgreSQL catalog and one first-stage store in a shared directory (DESIGN §6,
// "Many hosts"): any host's workers persist what any host staged; with each host's own staging
// directory a job stays with the host that staged it. Two hosts in one process, each with its own
// data directory, as in client_scale_out_test.cpp: an ingest host that runs no workers (the
// persistence engine without its workers) and a worker host (a Client).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "expect_invalid.hpp"
#include "pg_test_env.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/persistence.hpp"
#include "quick_persistence.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;

// A host that stages uploads and queues their jobs, its workers stopped until start_workers().
struct IngestHost {
  IngestHost(const std::string& catalog_url, const std::filesystem::path& data_dir,
             const PersistenceConfig& config)
      : catalog(catalog::open_catalog_at(catalog_url)),
        engine(*catalog, data_dir, pipeline::make_object_store(config, data_dir), config,
               /*start_workers=*/false) {}

  Record upload(const std::filesystem::path& image) {
    pipeline::UploadSource source;
    source.path = image;
    return engine.ingest(source, {});
  }

  std::unique_ptr<catalog::Catalog> catalog;
  pipeline::Persistence engine;
};

std::size_t entries_in(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

std::string read_site(const std::filesystem::path& staging_dir) {
  std::ifstream in(staging_dir.string() + ".site");
  std::string site;
  std::getline(in, site);
  return site;
}

class SharedStaging : public ::testing::Test {
 protected:
  test::TempDir dir;
  OpenOptions shared{test::pg_database_for(dir.path() / "catalog")};
  // The images of the uploads: two of the smaller samples, so the derivatives are quick to make.
  std::vector<std::filesystem::path> images{test::sample_images()[1], test::sample_images()[2]};

  // Where an object is says which host's worker persisted the record: each host's objects land
  // in the local object store of its own data directory.
  static bool persisted_by(const Record& r, const std::filesystem::path& data_dir) {
    return std::filesystem::exists(data_dir / "objects" / "pindeck" / *r.storage_path);
  }
};

TEST_F(SharedStaging, AnotherHostsWorkersPersistWhatAHostWithoutWorkersStaged) {
  PersistenceConfig config = test::quick_persistence();
  config.staging_dir = dir.path() / "nfs" / "pindeck-staging";
  IngestHost ingest(shared.catalog, dir.path() / "ingest", config);
  std::vector<Record> uploaded;
  for (const auto& image : images) uploaded.push_back(ingest.upload(image));
  EXPECT_EQ(entries_in(config.staging_dir), images.size()) << "the bytes were not staged there";
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "ingest" / "staging"));

  Client worker = Client::open(dir.path() / "worker", shared);
  worker.start_persistence(config);
  for (const auto& r : uploaded) {
    const Record done = worker.wait_persisted(r.id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
        << r.id << ": " << done.storage_persist_error.value_or("");
    EXPECT_TRUE(persisted_by(done, dir.path() / "worker")) << r.id;
    EXPECT_FALSE(persisted_by(done, dir.path() / "ingest")) << r.id;
  }
  // One store for both hosts: one id, and the staged copies deleted by the worker host.
  EXPECT_FALSE(read_site(config.staging_dir).empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "worker" / "staging.site"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "worker" / "staging"));
  EXPECT_EQ(entries_in(config.staging_dir), 0u) << "staged copies were left after success";
  EXPECT_EQ(entries_in(dir.path() / "nfs"), 2u) << "only the store and its id file";
}

TEST_F(SharedStaging, HostsOpeningTheSharedDirectoryAtOnceShareOneStoreAndItsJobs) {
  PersistenceConfig config = test::quick_persistence();
  config.staging_dir = dir.path() / "nfs" / "pindeck-staging";
  // Both make the store at the same time: one links its id into place, the other reads that one.
  auto opening_a = std::async(std::launch::async, [&] {
    return std::make_unique<IngestHost>(shared.catalog, dir.path() / "a", config);
  });
  auto opening_b = std::async(std::launch::async, [&] {
    return std::make_unique<IngestHost>(shared.catalog, dir.path() / "b", config);
  });
  const auto a = opening_a.get();
  const auto b = opening_b.get();
  EXPECT_EQ(a->engine.staging_store().site(), b->engine.staging_store().site());
  EXPECT_EQ(a->engine.staging_store().site(), read_site(config.staging_dir));

  std::vector<Record> uploaded;
  for (const auto& image : images) {
    uploaded.push_back(a->upload(image));
    uploaded.push_back(b->upload(image));
  }
  // Only b runs workers: what a staged is b's to persist as well.
  b->engine.start_workers();
  for (const auto& r : uploaded) {
    const Record done = b->engine.wait_settled(r.id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded) << r.id;
    EXPECT_TRUE(persisted_by(done, dir.path() / "b")) << r.id;
  }
  EXPECT_EQ(entries_in(config.staging_dir), 0u);
}

TEST_F(SharedStaging, WithLocalStagingAnotherHostLeavesTheJobsToTheHostThatStagedThem) {
  const PersistenceConfig local = test::quick_persistence();
  IngestHost ingest(shared.catalog, dir.path() / "ingest", local);
  std::vector<Record> uploaded;
  for (const auto& image : images) uploaded.push_back(ingest.upload(image));

  Client worker = Client::open(dir.path() / "worker", shared);
  worker.start_persistence(local);
  // The worker host polls every 50 ms: in two seconds it would have claimed them, were they its.
  for (const auto& r : uploaded) {
    EXPECT_EQ(worker.wait_persisted(r.id, 2s).storage_persist_status, PersistStatus::pending)
        << "a host persisted bytes staged in another host's data directory";
  }
  EXPECT_EQ(entries_in(dir.path() / "ingest" / "staging"), images.size());

  ingest.engine.start_workers();
  for (const auto& r : uploaded) {
    const Record done = worker.wait_persisted(r.id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded) << r.id;
    EXPECT_TRUE(persisted_by(done, dir.path() / "ingest")) << r.id;
    EXPECT_FALSE(persisted_by(done, dir.path() / "worker")) << r.id;
  }
}

TEST_F(SharedStaging, ARelativeStagingDirectoryIsRefusedNamingItAndChangesNothing) {
  const auto data_dir = dir.path() / "host";
  const std::filesystem::path relative = "pindeck-shared-staging-test";
  ASSERT_FALSE(std::filesystem::exists(relative)) << "left over in the working directory";
  Client client = Client::open(data_dir, shared);

  test::ScopedEnv env;
  env.set("PINDECK_STAGING_DIR", relative.c_str());
  // The upload starts persistence from the environment, which is refused before anything is kept.
  test::expect_invalid(
      [&] { client.upload_file(images[0]); },
      "PINDECK_STAGING_DIR must be an absolute path, not '" + relative.string() + "'");
  env.unset("PINDECK_STAGING_DIR");

  PersistenceConfig config = test::quick_persistence();
  config.staging_dir = relative;
  test::expect_invalid(
      [&] { client.start_persistence(config); },
      "persistence config: stagingDir must be an absolute path (got '" + relative.string() + "')");

  EXPECT_TRUE(client.list({}).records.empty());
  EXPECT_FALSE(std::filesystem::exists(relative));
  EXPECT_FALSE(std::filesystem::exists(data_dir / "staging"));
  EXPECT_FALSE(std::filesystem::exists(data_dir / "objects"));
  // Nothing was started: a good setting still starts, and uploads stage there.
  config.staging_dir = dir.path() / "nfs" / "staging";
  client.start_persistence(config);
  const Record uploaded = client.upload_file(images[0]);
  EXPECT_EQ(client.wait_persisted(uploaded.id, 60s).storage_persist_status,
            PersistStatus::succeeded);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "nfs" / "staging.site"));
}

}  // namespace
}  // namespace pindeck
