// SPDX-License-Identifier: Apache-2.0
// The proofs against the real S3 server (Ceph radosgw on 127.0.0.1, verifying SigV4):
// 20 images persisted and verified, the server going down and coming back, SIGKILL at 20 points,
// two processes sharing a data directory, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "catalog_fixture.hpp"
#include "fault_proxy.hpp"
#include "media/derivatives.hpp"
#include "media/probe.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3/client.hpp"
#include "s3_test_env.hpp"
#include "test_images.hpp"
#include "util/sha256.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::test::port_of;
using pindeck::test::TempDir;

std::string unique_prefix(const std::string& test) {
  return "t-" + test + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

PersistenceConfig s3_config(const std::string& prefix) {
  const auto server = pindeck::test::load_s3_test_server();
  PersistenceConfig config;
  config.s3 = server.settings;
  config.bucket = server.bucket;
  config.key_prefix = prefix;
  config.retry_min_delay = 100ms;
  config.retry_max_delay = 400ms;
  config.poll_interval = 50ms;
  config.lease = 3s;
  return config;
}

// A direct client on the test server, to check objects independently of the engine.
s3::Client direct_client() {
  const auto server = pindeck::test::load_s3_test_server();
  return s3::Client(s3_client_config(server.settings, server.bucket));
}

std::vector<std::string> planned_keys(const Record& r) {
  return {*r.storage_path, *r.preview_storage_path, *r.derivative_storage_paths->small,
          *r.derivative_storage_paths->medium, *r.derivative_storage_paths->large};
}

std::vector<std::string> listed_keys(s3::Client& client, const std::string& prefix) {
  s3::ListOptions options;
  options.prefix = prefix + "/";
  std::vector<std::string> keys;
  for (;;) {
    const auto page = client.list_objects(options);
    for (const auto& object : page.objects) keys.push_back(object.key);
    if (!page.truncated) break;
    options.continuation_token = page.next_continuation_token;
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Small real images (the derivatives of the samples: JPEG, PNG and WebP at 320..1280 px), so
// the many-run tests stay quick.
std::vector<std::filesystem::path> small_images(const std::filesystem::path& dir, int count) {
  std::vector<std::filesystem::path> made;
  std::vector<std::string> variants;
  for (const auto& sample : pindeck::test::sample_images()) {
    const std::string bytes = pindeck::test::read_file(sample);
    const auto derived = media::derive(std::as_bytes(std::span(bytes.data(), bytes.size())));
    for (const auto& image : derived.derivatives) {
      variants.emplace_back(reinterpret_cast<const char*>(image.bytes.data()), image.bytes.size());
      if (image.kind == media::DerivativeKind::preview) break;  // one per sample is enough variety
    }
  }
  for (int i = 0; i < count; ++i) {
    const auto path = dir / ("small-" + std::to_string(i) + ".img");
    std::ofstream(path, std::ios::binary) << variants[i % variants.size()];
    made.push_back(path);
  }
  return made;
}

struct Engine {
  Engine(const std::filesystem::path& data_dir, const PersistenceConfig& config)
      : catalog(test::open_catalog(data_dir / "catalog.sqlite")),
        persistence(std::make_unique<Persistence>(*catalog, data_dir,
                                                  make_object_store(config, data_dir), config)) {}
  Record upload(const std::filesystem::path& path) {
    UploadSource source;
    source.path = path;
    return persistence->ingest(source, {});
  }
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<Persistence> persistence;
};

TEST(PersistenceS3, TwentyImagesAllSucceedWithEveryObjectVerified) {
  TempDir dir;
  const auto prefix = unique_prefix("twenty");
  Engine engine(dir.path(), s3_config(prefix));
  std::vector<std::pair<std::filesystem::path, Record>> uploads;
  const auto samples = pindeck::test::sample_images();
  for (int i = 0; i < 20; ++i) {
    const auto& path = samples[i % samples.size()];
    uploads.emplace_back(path, engine.upload(path));
  }
  auto client = direct_client();
  std::vector<std::string> expected;
  for (const auto& [path, pending] : uploads) {
    const Record record = engine.persistence->wait_settled(pending.id, 300s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::succeeded)
        << record.storage_persist_error.value_or("");
    EXPECT_EQ(record.storage_provider, StorageProvider::rustfs);
    EXPECT_FALSE(record.storage_id);
    EXPECT_EQ(planned_keys(record), planned_keys(pending));
    const auto server = pindeck::test::load_s3_test_server();
    EXPECT_EQ(record.image_url,
              server.settings.endpoint + "/" + server.bucket + "/" + *record.storage_path);

    const auto original = client.get_object(*record.storage_path);
    EXPECT_EQ(original.body, pindeck::test::read_file(path)) << "original not byte-identical";
    EXPECT_EQ(client.head_object(*record.storage_path).content_type, *record.content_type);
    const std::pair<std::string, int> derived[] = {{*record.preview_storage_path, 640},
                                                   {*record.derivative_storage_paths->small, 320},
                                                   {*record.derivative_storage_paths->medium, 768},
                                                   {*record.derivative_storage_paths->large, 1280}};
    for (const auto& [key, width] : derived) {
      const auto object = client.get_object(key);
      const auto probe =
          media::probe(std::as_bytes(std::span(object.body.data(), object.body.size())));
      EXPECT_EQ(probe.width, std::min<int>(width, static_cast<int>(*record.width))) << key;
      if (width != 640) {
        EXPECT_EQ(client.head_object(key).content_type, "image/webp") << key;
      }
    }
    for (const auto& key : planned_keys(record)) expected.push_back(key);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed_keys(client, prefix), expected) << "missing or orphan objects";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "staging"), {}), 0)
      << "staged copies left behind";
}

TEST(PersistenceS3, ServerDownEndsFailedThenBackfillSucceedsWithTheSameKeys) {
  TempDir dir;
  const auto prefix = unique_prefix("down");
  auto config = s3_config(prefix);
  test::FaultProxy proxy("127.0.0.1", port_of(config.s3->endpoint));
  proxy.take_down();
  config.s3->endpoint = proxy.endpoint();  // down: refused
  Engine engine(dir.path(), config);
  std::vector<Record> pending;
  for (const auto& path : small_images(dir.path(), 4)) pending.push_back(engine.upload(path));

  for (const auto& p : pending) {
    const Record record = engine.persistence->wait_settled(p.id, 120s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::failed);
    EXPECT_EQ(record.storage_provider, StorageProvider::convex);
    EXPECT_EQ(record.storage_id, p.storage_id);
    const auto& error = *record.storage_persist_error;
    EXPECT_NE(error.find("uploading original " + *p.storage_path), std::string::npos) << error;
    EXPECT_NE(error.find("after 3 attempts"), std::string::npos) << error;
    EXPECT_EQ(error.find(config.s3->secret_key), std::string::npos) << "secret in the error";
    EXPECT_TRUE(engine.persistence->staging_store().contains(*p.storage_id));
  }

  proxy.bring_up();  // the server is back
  EXPECT_EQ(engine.persistence->backfill(), static_cast<int>(pending.size()));
  std::vector<std::string> expected;
  for (const auto& p : pending) {
    const Record record = engine.persistence->wait_settled(p.id, 120s);
    ASSERT_EQ(record.storage_persist_status, PersistStatus::succeeded)
        << record.storage_persist_error.value_or("");
    EXPECT_EQ(planned_keys(record), planned_keys(p)) << "keys changed on backfill";
    for (const auto& key : planned_keys(p)) expected.push_back(key);
  }
  std::sort(expected.begin(), expected.end());
  auto client = direct_client();
  EXPECT_EQ(listed_keys(client, prefix), expected) << "missing or orphan objects";
}

TEST(PersistenceS3, AnImageThatCannotBeDecodedEndsFailedWithoutRetries) {
  TempDir dir;
  const auto prefix = unique_prefix("undecodable");
  Engine engine(dir.path(), s3_config(prefix));
  UploadSource source;
  const std::string bytes = pindeck::test::undecodable_png();
  source.bytes = std::as_bytes(std::span(bytes.data(), bytes.size()));
  source.file_name = "broken.png";
  const Record pending = engine.persistence->ingest(source, {});
  const Record record = engine.persistence->wait_settled(pending.id, 60s);
  ASSERT_EQ(record.storage_persist_status, PersistStatus::failed);
  EXPECT_NE(record.storage_persist_error->find("not retried"), std::string::npos);
  const auto job = engine.persistence->jobs().find(record.id);
  EXPECT_EQ(job->attempts, 1);
  auto client = direct_client();
  EXPECT_TRUE(listed_keys(client, prefix).empty());
}

struct ChildRun {
  pid_t pid;
};

ChildRun spawn_child(const std::filesystem::path& data_dir, const std::filesystem::path& log,
                     const std::string& endpoint, const std::string& prefix,
                     const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> args = {PERSIST_CHILD, data_dir.string(), log.string(), "--s3",
                                   endpoint,      "--prefix",        prefix};
  for (const auto& f : files) args.push_back(f.string());
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return {pid};
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return exit_code(status);
}

// The child's exit code, or nothing when it was still running after `limit` (it is then killed).
std::optional<int> wait_exit_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return exit_code(status);
    if (std::chrono::steady_clock::now() >= give_up) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(10ms);
  }
}

std::vector<std::string> log_lines(const std::filesystem::path& log, const std::string& kind) {
  std::ifstream in(log);
  std::vector<std::string> out;
  std::string word, id, outcome;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    fields >> word >> id;
    if (word == kind) out.push_back(line);
  }
  return out;
}

// The record ids of the log's lines of one kind ("ingested <id>", "job <id> <outcome>").
std::vector<std::string> logged_ids(const std::filesystem::path& log, const std::string& kind,
                                    const std::string& outcome = "") {
  std::vector<std::string> ids;
  for (const auto& line : log_lines(log, kind)) {
    std::istringstream fields(line);
    std::string word, id, said;
    fields >> word >> id >> said;
    if (outcome.empty() || said == outcome) ids.push_back(id);
  }
  return ids;
}

// SIGKILL at 20 different moments of ingest and persistence, then a restart finishes the work:
// every record that was ingested succeeds, with exactly its planned objects and nothing else.
TEST(PersistenceS3, KilledAtTwentyPointsThenRestartedLosesAndDuplicatesNothing) {
  TempDir work;
  const auto server = pindeck::test::load_s3_test_server();
  const auto images = small_images(work.path(), 3);
  std::set<std::string> image_hashes;
  for (const auto& image : images) image_hashes.insert(util::sha256_hex(test::read_file(image)));
  ASSERT_EQ(image_hashes.size(), images.size()) << "the test needs distinct images";
  auto client = direct_client();

  // Each kill waits for a number of progress events in the child's log (ingests, then finished
  // jobs), then a few milliseconds more, so the kills land at every stage of the work whatever
  // the machine's speed: before anything, between ingests, during derivation and upload, after.
  const std::size_t all_events = 2 * images.size();
  auto events = [&](const std::filesystem::path& log) {
    return log_lines(log, "ingested").size() + log_lines(log, "job").size();
  };

  std::set<std::string> states_at_kill;
  for (int run = 0; run < 20; ++run) {
    const auto data_dir = work.path() / ("run-" + std::to_string(run));
    const auto log = work.path() / ("run-" + std::to_string(run) + ".log");
    const auto prefix = unique_prefix("crash" + std::to_string(run));
    auto child = spawn_child(data_dir, log, server.settings.endpoint, prefix, images);
    const std::size_t wanted = static_cast<std::size_t>(run) % (all_events + 1);
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (events(log) < wanted && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(2ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(15 * (run / (all_events + 1))));
    kill(child.pid, SIGKILL);
    const int killed_exit = wait_exit(child.pid);
    // The kill landed, or the child had already finished everything and exited cleanly.
    ASSERT_TRUE(killed_exit == 128 + SIGKILL || killed_exit == 0)
        << "run " << run << ": the child ended with " << killed_exit;

    const auto ingested_before = log_lines(log, "ingested").size();
    const auto done_before = log_lines(log, "job").size();
    const auto objects_before = listed_keys(client, prefix).size();
    states_at_kill.insert(std::to_string(ingested_before) + "/" + std::to_string(done_before) +
                          "/" + std::to_string(objects_before));

    // Restart without new files: it must finish whatever the killed process left, in bounded time
    // (three small images and one lease to wait out).
    const auto restart_log = work.path() / ("run-" + std::to_string(run) + "-restart.log");
    auto restart = spawn_child(data_dir, restart_log, server.settings.endpoint, prefix, {});
    const auto restart_exit = wait_exit_within(restart.pid, 60s);
    ASSERT_TRUE(restart_exit.has_value()) << "run " << run << ": the restart ran over 60 s";
    ASSERT_EQ(*restart_exit, 0) << "run " << run;

    auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
    RecordQuery query;
    query.limit = 1000;
    const auto records = catalog->list(query).records;
    std::set<std::string> record_ids;
    std::set<std::string> record_hashes;
    for (const auto& r : records) {
      record_ids.insert(r.id);
      ASSERT_TRUE(r.sha256.has_value()) << "run " << run;
      EXPECT_TRUE(image_hashes.contains(*r.sha256)) << "run " << run << ": a record of no image";
      EXPECT_TRUE(record_hashes.insert(*r.sha256).second)
          << "run " << run << ": two records of one image";
    }
    // Every logged ingest has its record. Ingests run one after another, so at most one record
    // (the one the kill cut off between its commit and its log line) may not be logged.
    const auto ingested_ids = logged_ids(log, "ingested");
    for (const auto& id : ingested_ids) {
      EXPECT_TRUE(record_ids.contains(id))
          << "run " << run << ": ingested record " << id << " lost";
    }
    EXPECT_LE(records.size(), ingested_ids.size() + 1) << "run " << run;
    // Each record succeeded exactly once: no job is left, and no success is logged twice
    // (across the killed process and the restart) or for a record that does not exist. A record
    // may have no success line: the kill can fall between its commit and the log write.
    std::map<std::string, int> successes;
    for (const auto* run_log : {&log, &restart_log}) {
      for (const auto& id : logged_ids(*run_log, "job", "succeeded")) ++successes[id];
    }
    for (const auto& [id, count] : successes) {
      EXPECT_TRUE(record_ids.contains(id)) << "run " << run << ": " << id << " succeeded, is gone";
      EXPECT_EQ(count, 1) << "run " << run << ": " << id << " committed " << count << " times";
    }
    std::vector<std::string> expected;
    for (const auto& r : records) {
      EXPECT_EQ(r.storage_persist_status, PersistStatus::succeeded)
          << "run " << run << ": " << r.storage_persist_error.value_or("");
      for (const auto& key : planned_keys(r)) expected.push_back(key);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed_keys(client, prefix), expected) << "run " << run << ": missing or orphan";
    // A kill between staging and the ingest transaction, or between the success commit and
    // the deletion, leaves a staged file no record names; the sweep removes exactly those.
    for (const auto& r : records) EXPECT_FALSE(r.storage_id) << "run " << run;
    {
      auto config = s3_config(prefix);
      Persistence sweeper(*catalog, data_dir, make_object_store(config, data_dir), config,
                          /*start_workers=*/false);
      sweeper.sweep_orphaned_staging(0ms);
      for (const auto& r : records) {
        EXPECT_FALSE(sweeper.jobs().find(r.id).has_value()) << "run " << run << ": job left";
      }
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data_dir / "staging"), {}), 0)
        << "run " << run << ": staged copies left";
  }
  // The kills really landed at different stages (ingested / jobs done / objects uploaded).
  std::string states;
  for (const auto& s : states_at_kill) states += " " + s;
  RecordProperty("states_at_kill", states);
  std::cout << "ingested/jobs-finished/objects at the 20 kills:" << states << '\n';
  EXPECT_GE(states_at_kill.size(), 5u);
}

TEST(PersistenceS3, TwoProcessesShareFiftyImagesAndNoJobRunsTwice) {
  TempDir work;
  const auto server = pindeck::test::load_s3_test_server();
  const auto prefix = unique_prefix("two");
  const auto data_dir = work.path() / "data";
  {
    // Ingest first without workers, so both processes find all 50 jobs waiting.
    auto config = s3_config(prefix);
    std::filesystem::create_directories(data_dir);
    auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
    Persistence persistence(*catalog, data_dir, make_object_store(config, data_dir), config,
                            /*start_workers=*/false);
    for (const auto& path : small_images(work.path(), 50)) {
      UploadSource source;
      source.path = path;
      persistence.ingest(source, {});
    }
  }
  const auto log_a = work.path() / "a.log";
  const auto log_b = work.path() / "b.log";
  auto a = spawn_child(data_dir, log_a, server.settings.endpoint, prefix, {});
  auto b = spawn_child(data_dir, log_b, server.settings.endpoint, prefix, {});
  ASSERT_EQ(wait_exit(a.pid), 0);
  ASSERT_EQ(wait_exit(b.pid), 0);

  std::map<std::string, int> runs;
  const auto jobs_a = log_lines(log_a, "job");
  const auto jobs_b = log_lines(log_b, "job");
  for (const auto* jobs : {&jobs_a, &jobs_b}) {
    for (const auto& line : *jobs) {
      std::istringstream fields(line);
      std::string word, id;
      fields >> word >> id;
      ++runs[id];
    }
  }
  EXPECT_EQ(runs.size(), 50u);
  for (const auto& [id, count] : runs) EXPECT_EQ(count, 1) << id << " ran " << count << " times";
  EXPECT_GT(jobs_a.size(), 0u);
  EXPECT_GT(jobs_b.size(), 0u);

  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  RecordQuery query;
  query.limit = 1000;
  const auto records = catalog->list(query).records;
  ASSERT_EQ(records.size(), 50u);
  std::vector<std::string> expected;
  for (const auto& r : records) {
    EXPECT_EQ(r.storage_persist_status, PersistStatus::succeeded);
    for (const auto& key : planned_keys(r)) expected.push_back(key);
  }
  std::sort(expected.begin(), expected.end());
  auto client = direct_client();
  EXPECT_EQ(listed_keys(client, prefix), expected);
}

}  // namespace
}  // namespace pindeck::pipeline
