// SPDX-License-Identifier: Apache-2.0
// The persistence engine end to end on the embedded local object store: real catalog file, real
// staging directory, real libvips derivatives, real files.
#include "pipeline/persistence.hpp"
#include "expect_invalid.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <thread>

#include "catalog_fixture.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"
#include "pipeline/local_object_store.hpp"
#include "test_images.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::test::read_file;
using pindeck::test::TempDir;

// A missing folder is not an empty one: the engine creates it, so its absence is a failure.
std::size_t entries_in(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    ADD_FAILURE() << dir << " is not a folder";
    return std::numeric_limits<std::size_t>::max();
  }
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

PersistenceConfig fast_config() {
  PersistenceConfig config;
  config.retry_min_delay = 50ms;
  config.retry_max_delay = 200ms;
  config.poll_interval = 50ms;
  config.lease = 5s;
  return config;
}

struct Engine {
  explicit Engine(const std::filesystem::path& data_dir, PersistenceConfig config = fast_config(),
                  bool start_workers = true)
      : catalog(test::open_catalog(data_dir / "catalog.sqlite")) {
    auto store = std::make_unique<LocalObjectStore>(data_dir / "objects", config.bucket);
    local = store.get();
    persistence =
        std::make_unique<Persistence>(*catalog, data_dir, std::move(store), config, start_workers);
  }
  Record upload(const std::filesystem::path& path, Record metadata = {}) {
    UploadSource source;
    source.path = path;
    return persistence->ingest(source, std::move(metadata));
  }
  Record upload_bytes(const std::string& bytes, const std::string& name) {
    UploadSource source;
    source.bytes = std::as_bytes(std::span(bytes.data(), bytes.size()));
    source.file_name = name;
    return persistence->ingest(source, {});
  }

  std::unique_ptr<catalog::Catalog> catalog;
  LocalObjectStore* local = nullptr;
  std::unique_ptr<Persistence> persistence;
};

// The engine's worker counts once no job is in flight (a job ends for its worker just after its
// record settles).
WorkerCounts counts_when_idle(const Persistence& persistence) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (persistence.worker_counts().in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  return persistence.worker_counts();
}

media::ProbeResult probe_object(LocalObjectStore& store, const std::string& key) {
  const std::string bytes = read_file(store.path_of(key));
  return media::probe(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

TEST(Persistence, IngestRecordsThePendingImageAndItsJobInOneGo) {
  TempDir dir;
  Engine engine(dir.path(), fast_config(), /*start_workers=*/false);
  const auto source = std::filesystem::path(PINDECK_TEST_DATA) / "images/flow-5120x2880.jpg";
  Record metadata;
  metadata.title = "Flow Über Alles";
  metadata.tags = {"sea"};
  const Record record = engine.upload(source, metadata);

  EXPECT_FALSE(record.id.empty());
  EXPECT_EQ(record.title, "Flow Über Alles");
  EXPECT_EQ(record.source_type, SourceType::upload);
  EXPECT_EQ(record.storage_provider, StorageProvider::convex);
  EXPECT_EQ(record.storage_persist_status, PersistStatus::pending);
  ASSERT_TRUE(record.storage_id);
  EXPECT_EQ(read_file(engine.persistence->staging_store().path_of(*record.storage_id)),
            read_file(source));
  EXPECT_EQ(record.content_type, "image/jpeg");
  EXPECT_EQ(record.width, 5120);
  EXPECT_EQ(record.height, 2880);
  EXPECT_EQ(record.byte_size, static_cast<std::int64_t>(std::filesystem::file_size(source)));
  EXPECT_EQ(record.sha256->size(), 64u);
  ASSERT_TRUE(record.storage_path);
  EXPECT_TRUE(record.storage_path->starts_with("media-uploads/")) << *record.storage_path;
  EXPECT_NE(record.storage_path->find("/original/flow-uber-alles-"), std::string::npos)
      << *record.storage_path;
  EXPECT_TRUE(record.storage_path->ends_with(".jpg"));
  EXPECT_TRUE(record.preview_storage_path->ends_with("-preview.jpg"));
  EXPECT_TRUE(record.derivative_storage_paths->small->ends_with("-w320.webp"));
  EXPECT_TRUE(record.derivative_storage_paths->large->ends_with("-w1280.webp"));
  EXPECT_EQ(engine.catalog->get(record.id), record);
  EXPECT_EQ(engine.persistence->job_counts().queued, 1);
}

TEST(Persistence, WorkersPersistEverySampleImage) {
  TempDir dir;
  Engine engine(dir.path());
  std::vector<std::pair<std::filesystem::path, Record>> uploads;
  for (const auto& path : pindeck::test::sample_images()) {
    uploads.emplace_back(path, engine.upload(path));
  }
  for (const auto& [path, pending] : uploads) {
    const Record record = engine.persistence->wait_settled(pending.id, 120s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::succeeded)
        << path << ": " << record.storage_persist_error.value_or("");
    EXPECT_EQ(record.storage_provider, StorageProvider::local);
    EXPECT_EQ(record.storage_bucket, "pindeck");
    EXPECT_FALSE(record.storage_id);
    EXPECT_FALSE(record.storage_persist_error);
    EXPECT_EQ(record.storage_path, pending.storage_path) << "keys changed after ingest";
    EXPECT_EQ(record.derivative_storage_paths, pending.derivative_storage_paths);
    ASSERT_TRUE(record.colors);
    EXPECT_GE(record.colors->size(), 1u);
    EXPECT_LE(record.colors->size(), 5u);

    auto& store = *engine.local;
    EXPECT_EQ(read_file(store.path_of(*record.storage_path)), read_file(path))
        << "the original is not byte-identical";
    EXPECT_EQ(store.head(*record.storage_path)->content_type, *record.content_type);
    const int original_width = static_cast<int>(*record.width);
    const std::pair<std::string, int> derived[] = {{*record.preview_storage_path, 640},
                                                   {*record.derivative_storage_paths->small, 320},
                                                   {*record.derivative_storage_paths->medium, 768},
                                                   {*record.derivative_storage_paths->large, 1280}};
    for (const auto& [key, width] : derived) {
      EXPECT_EQ(probe_object(store, key).width, std::min(width, original_width)) << key;
    }
    EXPECT_EQ(store.head(*record.derivative_storage_paths->small)->content_type, "image/webp");
    EXPECT_EQ(record.image_url, store.public_url(*record.storage_path));
    EXPECT_TRUE(record.image_url->starts_with("file://"));
    EXPECT_EQ(record.derivative_urls->medium,
              store.public_url(*record.derivative_storage_paths->medium));
  }
  EXPECT_EQ(entries_in(dir.path() / "staging"), 0u) << "staged copies were not deleted";
  EXPECT_EQ(engine.persistence->job_counts().queued, 0);
  EXPECT_EQ(engine.local->list("").size(), 5 * uploads.size()) << "unexpected objects";
}

TEST(Persistence, BadInputIsRefusedAtIngestAndChangesNothing) {
  TempDir dir;
  Engine engine(dir.path(), fast_config(), false);
  const auto empty = dir.path() / "empty.jpg";
  std::ofstream(empty).close();
  const std::pair<std::string, std::function<Record()>> cases[] = {
      {"empty", [&] { return engine.upload(empty); }},
      {"text", [&] { return engine.upload_bytes("just some text, not an image", "notes.jpg"); }},
      {"bomb", [&] { return engine.upload_bytes(pindeck::test::png_bomb(), "bomb.png"); }},
  };
  for (const auto& [name, attempt] : cases) {
    try {
      attempt();
      ADD_FAILURE() << name << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::media) << name << ": " << e.what();
      EXPECT_GT(std::string(e.what()).size(), 20u) << name;
    }
  }
  EXPECT_EQ(entries_in(dir.path() / "staging"), 0u);
  EXPECT_TRUE(engine.catalog->list({}).records.empty());
  EXPECT_EQ(engine.persistence->job_counts().queued, 0);
}

TEST(Persistence, InvalidMetadataIsRefusedAndTheStagedCopyRemoved) {
  TempDir dir;
  Engine engine(dir.path(), fast_config(), false);
  Record metadata;
  metadata.colors = std::vector<std::string>{"red"};
  metadata.tags = {""};
  test::expect_invalid([&] { engine.upload(pindeck::test::sample_images().front(), metadata); },
                       "");
  EXPECT_EQ(entries_in(dir.path() / "staging"), 0u);
  EXPECT_TRUE(engine.catalog->list({}).records.empty());
}

TEST(Persistence, AnImageThatCannotBeDecodedEndsFailedWithoutRetries) {
  TempDir dir;
  Engine engine(dir.path());
  const Record pending = engine.upload_bytes(pindeck::test::undecodable_png(), "broken.png");
  const Record record = engine.persistence->wait_settled(pending.id, 60s);
  ASSERT_EQ(record.storage_persist_status, PersistStatus::failed);
  EXPECT_EQ(record.storage_provider, StorageProvider::convex);
  EXPECT_EQ(record.storage_id, pending.storage_id) << "the staged copy must be kept";
  EXPECT_TRUE(engine.persistence->staging_store().contains(*record.storage_id));
  ASSERT_TRUE(record.storage_persist_error);
  EXPECT_NE(record.storage_persist_error->find("not retried"), std::string::npos)
      << *record.storage_persist_error;
  const auto job = engine.persistence->jobs().find(record.id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->attempts, 1) << "a permanent failure was retried";
  EXPECT_TRUE(engine.local->list("").empty());
  const auto counts = counts_when_idle(*engine.persistence);
  EXPECT_EQ(counts.claimed, 1);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.retried + counts.succeeded + counts.released + counts.in_flight, 0);
}

// A real fault: the bucket directory is replaced by a plain file, so every write fails (ENOTDIR).
TEST(Persistence, TransientFailuresAreRetriedThenFailThenBackfillHeals) {
  TempDir dir;
  auto config = fast_config();
  Engine engine(dir.path(), config, false);
  const auto bucket_dir = dir.path() / "objects" / "pindeck";
  std::filesystem::remove_all(bucket_dir);
  std::ofstream(bucket_dir) << "in the way";
  std::vector<Record> pending;
  for (const auto& path : pindeck::test::sample_images()) pending.push_back(engine.upload(path));

  Persistence& persistence = *engine.persistence;
  Engine running(dir.path(), config);  // a second engine on the same data directory does the work
  for (const auto& p : pending) {
    const Record record = running.persistence->wait_settled(p.id, 60s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::failed);
    EXPECT_EQ(record.storage_id, p.storage_id);
    EXPECT_NE(record.storage_persist_error->find("uploading original " + *p.storage_path),
              std::string::npos)
        << *record.storage_persist_error;
    EXPECT_NE(record.storage_persist_error->find("after 3 attempts"), std::string::npos)
        << *record.storage_persist_error;
    EXPECT_TRUE(persistence.staging_store().contains(*p.storage_id));
  }
  // Each job: two attempts retried, the third failed; then, after the backfill, one success.
  const auto jobs = static_cast<std::int64_t>(pending.size());
  auto counts = counts_when_idle(*running.persistence);
  EXPECT_EQ(counts.claimed, 3 * jobs);
  EXPECT_EQ(counts.retried, 2 * jobs);
  EXPECT_EQ(counts.failed, jobs);
  EXPECT_EQ(counts.succeeded + counts.released + counts.in_flight, 0);
  EXPECT_EQ(persistence.worker_counts().claimed, 0) << "an engine without workers claimed jobs";

  std::filesystem::remove(bucket_dir);
  EXPECT_EQ(running.persistence->backfill(), static_cast<int>(pending.size()));
  for (const auto& p : pending) {
    const Record record = running.persistence->wait_settled(p.id, 120s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::succeeded)
        << record.storage_persist_error.value_or("");
    EXPECT_EQ(record.storage_path, p.storage_path);
    EXPECT_FALSE(record.storage_persist_error);
  }
  std::vector<std::string> expected;
  for (const auto& p : pending) {
    expected.insert(expected.end(),
                    {*p.storage_path, *p.preview_storage_path, *p.derivative_storage_paths->small,
                     *p.derivative_storage_paths->medium, *p.derivative_storage_paths->large});
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(running.local->list(""), expected) << "orphans or missing objects";
  EXPECT_EQ(running.persistence->backfill(), 0) << "nothing is left to backfill";
  counts = counts_when_idle(*running.persistence);
  EXPECT_EQ(counts.claimed, 4 * jobs);
  EXPECT_EQ(counts.succeeded, jobs);
  EXPECT_EQ(counts.released + counts.in_flight, 0);
}

TEST(Persistence, SweepDeletesOnlyOldStagedCopiesNoRecordNames) {
  TempDir dir;
  Engine engine(dir.path(), fast_config(), false);
  const Record pending = engine.upload(pindeck::test::sample_images()[2]);
  auto& staging = engine.persistence->staging_store();
  const auto orphan = staging.put_bytes(std::as_bytes(std::span("left by a crash", 15)));
  std::ofstream(staging.directory() / ".tmp-interrupted-write") << "half";
  EXPECT_EQ(engine.persistence->sweep_orphaned_staging(std::chrono::hours(1)), 0)
      << "a young staged copy may be an upload in progress";
  ASSERT_TRUE(std::filesystem::exists(staging.directory() / ".tmp-interrupted-write"));
  ASSERT_TRUE(staging.contains(orphan.storage_id));
  EXPECT_EQ(engine.persistence->sweep_orphaned_staging(0ms), 2);
  EXPECT_FALSE(std::filesystem::exists(staging.directory() / ".tmp-interrupted-write"));
  EXPECT_FALSE(staging.contains(orphan.storage_id));
  EXPECT_TRUE(staging.contains(*pending.storage_id)) << "a pending record's bytes were deleted";
}

TEST(Persistence, BackfillLimitMustBeOneTo200) {
  TempDir dir;
  Engine engine(dir.path(), fast_config(), false);
  test::expect_invalid([&] { engine.persistence->backfill(0); }, "");
  test::expect_invalid([&] { engine.persistence->backfill(201); }, "");
  EXPECT_EQ(engine.persistence->backfill(200), 0);
}

}  // namespace
}  // namespace pindeck::pipeline
