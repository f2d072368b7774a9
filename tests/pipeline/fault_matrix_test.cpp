// SPDX-License-Identifier: Apache-2.0
// The fault matrix (DESIGN §6, "Faults and their end states"): each step of persistence (stage,
// derive, each PUT, commit, the staged copy's deletion) under each fault (the process killed, a
// full disk, a read-only file system, an S3 500/503 storm, a reset in the middle of a body, a
// stalled server, wrong credentials, a skewed clock), with the end state the design promises,
// checked against the real radosgw, real file systems (tmpfs mounts made by the test) and real
// processes. Where a cell cannot happen (no S3 request is made while deriving) DESIGN says so and
// there is no test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <future>
#include <thread>
#include <utility>

#include "catalog/sqlite_catalog.hpp"
#include "catalog_fixture.hpp"
#include "fault_proxy.hpp"
#include "generated_images.hpp"
#include "pindeck/error.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "read_file.hpp"
#include "s3/client.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"

namespace pindeck::pipeline {
namespace {

using namespace std::chrono_literals;
using pindeck::test::Fault;
using pindeck::test::FaultProxy;
using pindeck::test::port_of;
using pindeck::test::TempDir;

enum class Step {
  stage,
  derive,
  put_original,
  put_preview,
  put_small,
  put_medium,
  put_large,
  commit,
  delete_staged
};

const Step kPuts[] = {Step::put_original, Step::put_preview, Step::put_small, Step::put_medium,
                      Step::put_large};

std::string name_of(Step step) {
  switch (step) {
    case Step::stage: return "stage";
    case Step::derive: return "derive";
    case Step::put_original: return "put_original";
    case Step::put_preview: return "put_preview";
    case Step::put_small: return "put_small";
    case Step::put_medium: return "put_medium";
    case Step::put_large: return "put_large";
    case Step::commit: return "commit";
    case Step::delete_staged: return "delete_staged";
  }
  return "?";
}

// What identifies a PUT of this step in a request path (DESIGN §3's keys).
std::string key_mark(Step step) {
  switch (step) {
    case Step::put_original: return "/original/";
    case Step::put_preview: return "/preview/";
    case Step::put_small: return "-w320.";
    case Step::put_medium: return "-w768.";
    case Step::put_large: return "-w1280.";
    default: return "";
  }
}

std::string unique_prefix(const std::string& name) {
  std::string prefix =
      "fm-" + name + "-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000);
  std::replace(prefix.begin(), prefix.end(), '_', '-');
  return prefix;
}

PersistenceConfig quick_config(const std::string& prefix) {
  PersistenceConfig config;
  config.key_prefix = prefix;
  config.retry_min_delay = 100ms;
  config.retry_max_delay = 300ms;
  config.poll_interval = 50ms;
  config.lease = 3s;
  return config;
}

PersistenceConfig s3_config(const std::string& prefix, const std::string& endpoint = "") {
  const auto server = pindeck::test::load_s3_test_server();
  auto config = quick_config(prefix);
  config.s3 = server.settings;
  if (!endpoint.empty()) config.s3->endpoint = endpoint;
  config.bucket = server.bucket;
  return config;
}

s3::Client direct_client() {
  const auto server = pindeck::test::load_s3_test_server();
  return s3::Client(s3_client_config(server.settings, server.bucket));
}

std::vector<std::string> bucket_keys(const std::string& prefix) {
  auto client = direct_client();
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

std::vector<std::string> planned_keys(const Record& r) {
  std::vector<std::string> keys = {
      *r.storage_path, *r.preview_storage_path, *r.derivative_storage_paths->small,
      *r.derivative_storage_paths->medium, *r.derivative_storage_paths->large};
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Regular files under `dir`, which must exist (a missing folder is not an empty one).
std::size_t files_under(const std::filesystem::path& dir) {
  EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) ++count;
  }
  return count;
}

std::vector<std::string> local_keys(const std::filesystem::path& data_dir,
                                    const PersistenceConfig& config) {
  const auto root = data_dir / "objects" / config.bucket;
  std::vector<std::string> keys;
  if (!std::filesystem::exists(root / config.key_prefix)) return keys;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root / config.key_prefix)) {
    if (entry.is_regular_file()) keys.push_back(entry.path().lexically_relative(root).string());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// A real JPEG, wide enough for every derivative width; `width` sets how long deriving takes.
std::filesystem::path write_image(const std::filesystem::path& dir, int width = 1600) {
  const auto image = pindeck::test::gradient(width, width * 2 / 3);
  const auto bytes = pindeck::test::encode(image.get(), ".jpg[Q=90]");
  const auto path = dir / ("image-" + std::to_string(width) + ".jpg");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

Record ingest_file(Persistence& persistence, const std::filesystem::path& path) {
  UploadSource source;
  source.path = path;
  return persistence.ingest(source, {});
}

// The one end state every recoverable cell must reach: the record says succeeded, the store holds
// exactly its five objects (the original byte for byte), and no staged copy is left.
void expect_persisted(catalog::Catalog& catalog, const std::string& id,
                      const std::vector<std::string>& stored_keys,
                      const std::filesystem::path& data_dir, const std::string& original_bytes,
                      const std::string& stored_original) {
  const auto record = catalog.find(id);
  ASSERT_TRUE(record) << "the record was lost";
  ASSERT_EQ(record->storage_persist_status, PersistStatus::succeeded)
      << record->storage_persist_error.value_or("");
  EXPECT_FALSE(record->storage_id);
  EXPECT_FALSE(record->storage_persist_error);
  EXPECT_EQ(stored_keys, planned_keys(*record)) << "missing or orphan objects";
  EXPECT_EQ(stored_original, original_bytes) << "the original is not byte-identical";
  EXPECT_EQ(files_under(data_dir / "staging"), 0u) << "a staged copy was left";
}

void expect_persisted_s3(catalog::Catalog& catalog, const std::string& id,
                         const std::string& prefix, const std::filesystem::path& data_dir,
                         const std::filesystem::path& image) {
  const auto record = catalog.find(id);
  ASSERT_TRUE(record && record->storage_path) << "the record was lost";
  expect_persisted(catalog, id, bucket_keys(prefix), data_dir, pindeck::test::read_file(image),
                   direct_client().get_object(*record->storage_path).body);
}

void expect_persisted_local(catalog::Catalog& catalog, const std::string& id,
                            const PersistenceConfig& config, const std::filesystem::path& data_dir,
                            const std::filesystem::path& image) {
  const auto record = catalog.find(id);
  ASSERT_TRUE(record && record->storage_path) << "the record was lost";
  expect_persisted(
      catalog, id, local_keys(data_dir, config), data_dir, pindeck::test::read_file(image),
      pindeck::test::read_file(data_dir / "objects" / config.bucket / *record->storage_path));
}

template <typename Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// S3 faults on one PUT: an engine in this process, on radosgw behind the fault proxy with one
// request per connection, so a fault meets exactly the PUT of its object.

struct ProxiedEngine {
  explicit ProxiedEngine(const std::string& name)
      : prefix(unique_prefix(name)),
        proxy("127.0.0.1", port_of(pindeck::test::load_s3_test_server().settings.endpoint)),
        config(s3_config(prefix, proxy.endpoint())),
        image(write_image(dir.path(), 900)),
        catalog(test::open_catalog(dir.path() / "catalog.sqlite")) {
    proxy.set_keep_alive(false);
    persistence = std::make_unique<Persistence>(*catalog, dir.path(),
                                                make_object_store(config, dir.path()), config);
  }
  TempDir dir;
  std::string prefix;
  FaultProxy proxy;
  PersistenceConfig config;
  std::filesystem::path image;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<Persistence> persistence;
};

class StormOnPut : public ::testing::TestWithParam<Step> {};

// A storm longer than every attempt of the job: failed, naming the object, with the staged copy
// kept and nothing else changed; once the storm ends, a backfill persists it under the same keys.
TEST_P(StormOnPut, FailsNamingTheObjectThenBackfillPersists) {
  const Step step = GetParam();
  ProxiedEngine engine("storm-" + name_of(step));
  const int status = step == Step::put_preview || step == Step::put_medium ? 503 : 500;
  engine.proxy.add_fault({.kind = Fault::Kind::status,
                          .method = "PUT",
                          .target_contains = key_mark(step),
                          .status = status,
                          .s3_code = status == 503 ? "SlowDown" : "InternalError",
                          .sticky = true});
  const Record pending = ingest_file(*engine.persistence, engine.image);
  const Record failed = engine.persistence->wait_settled(pending.id, 120s);
  ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
  const std::string& error = *failed.storage_persist_error;
  EXPECT_NE(error.find(key_mark(step)), std::string::npos) << error;
  EXPECT_NE(error.find("after 3 attempts"), std::string::npos) << error;
  EXPECT_EQ(failed.storage_provider, StorageProvider::convex);
  EXPECT_EQ(failed.storage_id, pending.storage_id);
  EXPECT_TRUE(engine.persistence->staging_store().contains(*pending.storage_id));
  EXPECT_GE(engine.proxy.faults_injected(), 3);
  for (const auto& key : bucket_keys(engine.prefix)) {
    EXPECT_EQ(key.find(key_mark(step)), std::string::npos) << "the refused object exists: " << key;
  }

  engine.proxy.clear_faults();
  EXPECT_EQ(engine.persistence->backfill(), 1);
  engine.persistence->wait_settled(pending.id, 120s);
  expect_persisted_s3(*engine.catalog, pending.id, engine.prefix, engine.dir.path(), engine.image);
  EXPECT_EQ(planned_keys(*engine.catalog->find(pending.id)), planned_keys(pending))
      << "the keys changed on backfill";
}

class ResetOnPut : public ::testing::TestWithParam<Step> {};

// A connection reset in the middle of the body: the PUT is sent again and the job succeeds, with
// one object under each key.
TEST_P(ResetOnPut, IsRetriedAndSucceeds) {
  const Step step = GetParam();
  ProxiedEngine engine("reset-" + name_of(step));
  engine.proxy.add_fault(
      {.kind = Fault::Kind::reset_request, .method = "PUT", .target_contains = key_mark(step)});
  const Record pending = ingest_file(*engine.persistence, engine.image);
  engine.persistence->wait_settled(pending.id, 120s);
  EXPECT_EQ(engine.proxy.faults_injected(), 1) << "the reset never happened";
  expect_persisted_s3(*engine.catalog, pending.id, engine.prefix, engine.dir.path(), engine.image);
}

class StallOnPut : public ::testing::TestWithParam<Step> {};

// A server that takes the request and then says nothing until it drops the connection: the PUT is
// sent again and the job succeeds.
TEST_P(StallOnPut, IsRetriedAndSucceeds) {
  const Step step = GetParam();
  ProxiedEngine engine("stall-" + name_of(step));
  engine.proxy.add_fault({.kind = Fault::Kind::stall_request,
                          .method = "PUT",
                          .target_contains = key_mark(step),
                          .stall = 1500ms});
  const Record pending = ingest_file(*engine.persistence, engine.image);
  engine.persistence->wait_settled(pending.id, 120s);
  EXPECT_EQ(engine.proxy.faults_injected(), 1) << "the stall never happened";
  expect_persisted_s3(*engine.catalog, pending.id, engine.prefix, engine.dir.path(), engine.image);
}

class CredentialsRefusedOnPut : public ::testing::TestWithParam<Step> {};

// The server refuses the credentials at one PUT (a key rotated while the job runs): the job fails
// at once as a configuration failure that names the access key and how to fix it (never the
// secret), without spending its retries; a backfill once the credentials are accepted persists it.
TEST_P(CredentialsRefusedOnPut, FailsAtOnceNamingTheCredentialsThenBackfillPersists) {
  const Step step = GetParam();
  ProxiedEngine engine("credentials-" + name_of(step));
  engine.proxy.add_fault({.kind = Fault::Kind::status,
                          .method = "PUT",
                          .target_contains = key_mark(step),
                          .status = 403,
                          .s3_code = "SignatureDoesNotMatch",
                          .sticky = true});
  const Record pending = ingest_file(*engine.persistence, engine.image);
  const Record failed = engine.persistence->wait_settled(pending.id, 120s);
  ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
  const std::string& error = *failed.storage_persist_error;
  EXPECT_NE(error.find(engine.config.s3->access_key), std::string::npos) << error;
  EXPECT_NE(error.find("fix the settings"), std::string::npos) << error;
  EXPECT_EQ(error.find(engine.config.s3->secret_key), std::string::npos) << "the secret leaked";
  EXPECT_EQ(engine.persistence->jobs().find(pending.id)->attempts, 1) << "retried";
  EXPECT_TRUE(engine.persistence->staging_store().contains(*pending.storage_id));

  engine.proxy.clear_faults();
  EXPECT_EQ(engine.persistence->backfill(), 1);
  engine.persistence->wait_settled(pending.id, 120s);
  expect_persisted_s3(*engine.catalog, pending.id, engine.prefix, engine.dir.path(), engine.image);
}

void PrintTo(Step step, std::ostream* out) {
  *out << name_of(step);
}

std::string step_name(const ::testing::TestParamInfo<Step>& info) {
  return name_of(info.param);
}

INSTANTIATE_TEST_SUITE_P(FaultMatrix, StormOnPut, ::testing::ValuesIn(kPuts), step_name);
INSTANTIATE_TEST_SUITE_P(FaultMatrix, ResetOnPut, ::testing::ValuesIn(kPuts), step_name);
INSTANTIATE_TEST_SUITE_P(FaultMatrix, StallOnPut, ::testing::ValuesIn(kPuts), step_name);
INSTANTIATE_TEST_SUITE_P(FaultMatrix, CredentialsRefusedOnPut, ::testing::ValuesIn(kPuts),
                         step_name);

// ---------------------------------------------------------------------------------------------
// The process killed at each step: tests/support/persist_child does the work and is killed with
// SIGKILL at a moment the test recognises from outside (a request seen by the proxy, the job's
// claim or commit in the catalog); a second run of it on the same data directory must finish.

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;  // the write end of the child's standard input, with --stdin
};

Child spawn_child(const std::vector<std::string>& arguments, bool with_stdin = false) {
  std::vector<std::string> args = {PERSIST_CHILD};
  args.insert(args.end(), arguments.begin(), arguments.end());
  int pipe_fds[2] = {-1, -1};
  if (with_stdin && ::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    if (with_stdin) ::dup2(pipe_fds[0], STDIN_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (with_stdin) ::close(pipe_fds[0]);
  return {pid, pipe_fds[1]};
}

// Kills the child with SIGKILL and checks that is what ended it.
void kill_child(Child& child) {
  if (child.stdin_fd >= 0) ::close(child.stdin_fd);
  ASSERT_EQ(::kill(child.pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended on its own before the kill (status " << status << ")";
}

// Runs the child to its end (nothing left pending) and returns its exit code.
int run_child(const std::vector<std::string>& arguments, std::chrono::seconds bound = 60s) {
  Child child = spawn_child(arguments);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(child.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - start > bound) {
      ::kill(child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      ADD_FAILURE() << "the restart did not finish within " << bound.count() << " s";
      return -1;
    }
    std::this_thread::sleep_for(5ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> log_lines(const std::filesystem::path& log, const std::string& first) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(first + " ")) lines.push_back(line);
  }
  return lines;
}

std::string logged_id(const std::filesystem::path& log) {
  const auto lines = log_lines(log, "ingested");
  return lines.empty() ? "" : lines.front().substr(std::string("ingested ").size());
}

struct KilledRun {
  explicit KilledRun(const std::string& name)
      : prefix(unique_prefix(name)),
        proxy("127.0.0.1", port_of(pindeck::test::load_s3_test_server().settings.endpoint)),
        data_dir(work.path() / "data"),
        log(work.path() / "child.log") {
    proxy.set_keep_alive(false);
  }
  std::vector<std::string> arguments(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {data_dir.string(), log.string(), "--s3",
                                     proxy.endpoint(),  "--prefix",   prefix,
                                     "--lease-ms",      "1500"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // The restart: no new input, it finishes what the killed process left.
  void restart() {
    proxy.clear_faults();
    ASSERT_EQ(run_child(arguments({})), 0);
  }
  std::unique_ptr<catalog::Catalog> open_catalog() const {
    return test::open_catalog(data_dir / "catalog.sqlite");
  }
  bool put_seen(const std::string& mark = "") const {
    for (const auto& request : proxy.first_requests()) {
      if (request.starts_with("PUT ") && request.find(mark) != std::string::npos) return true;
    }
    return false;
  }
  bool job_claimed(const std::string& id) const {
    // An id is logged once the child's ingest committed: its catalog exists by then.
    if (id.empty()) return false;
    auto catalog = open_catalog();
    const auto job = catalog->persist_jobs("fault-matrix-observer", 1s)->find(id);
    return job && job->attempts >= 1;
  }
  void sweep_staging() const {
    auto catalog = open_catalog();
    Persistence sweeper(*catalog, data_dir, make_object_store(s3_config(prefix), data_dir),
                        s3_config(prefix), /*start_workers=*/false);
    sweeper.sweep_orphaned_staging(0ms);
  }

  TempDir work;
  std::string prefix;
  FaultProxy proxy;
  std::filesystem::path data_dir;
  std::filesystem::path log;
};

// Killed while the bytes are being staged: no record, and after the next start's sweep no staged
// file and no object either.
TEST(FaultMatrix, KilledWhileStagingKeepsNothing) {
  KilledRun run("killed-stage");
  const auto image = write_image(run.work.path());
  const std::string bytes = pindeck::test::read_file(image);
  Child child = spawn_child(run.arguments({"--stdin", "piped.jpg"}), /*with_stdin=*/true);
  const std::size_t half = bytes.size() / 2;
  ASSERT_EQ(::write(child.stdin_fd, bytes.data(), half), static_cast<ssize_t>(half));
  ASSERT_TRUE(wait_until(
      [&] {
        return std::filesystem::exists(run.data_dir / "staging") &&
               files_under(run.data_dir / "staging") > 0;
      },
      20s))
      << "staging never started";
  kill_child(child);
  EXPECT_TRUE(log_lines(run.log, "ingested").empty()) << "the kill came after the ingest";

  run.restart();
  run.sweep_staging();
  auto catalog = run.open_catalog();
  RecordQuery all;
  EXPECT_TRUE(catalog->list(all).records.empty());
  EXPECT_EQ(files_under(run.data_dir / "staging"), 0u);
  EXPECT_TRUE(bucket_keys(run.prefix).empty());
}

// Killed after the job was claimed and before any PUT left: while deriving. The job is claimed
// again once its lease ends and succeeds.
TEST(FaultMatrix, KilledWhileDerivingFinishesAfterRestart) {
  KilledRun run("killed-derive");
  // A large image, so deriving lasts long enough to be caught at.
  const auto image = write_image(run.work.path(), 4000);
  run.proxy.add_fault(
      {.kind = Fault::Kind::stall_request, .method = "PUT", .stall = 30s, .sticky = true});
  Child child = spawn_child(run.arguments({image.string()}));
  ASSERT_TRUE(wait_until([&] { return run.job_claimed(logged_id(run.log)); }, 60s));
  ASSERT_FALSE(run.put_seen()) << "deriving was over before the kill";
  kill_child(child);
  const std::string id = logged_id(run.log);

  run.restart();
  auto catalog = run.open_catalog();
  expect_persisted_s3(*catalog, id, run.prefix, run.data_dir, image);
}

class KilledDuringPut : public ::testing::TestWithParam<Step> {};

// Killed while one PUT is on the wire (the proxy holds it): the restart uploads again under the
// same keys; exactly the five objects, nothing twice.
TEST_P(KilledDuringPut, FinishesAfterRestartWithTheSameKeys) {
  const Step step = GetParam();
  KilledRun run("killed-" + name_of(step));
  const auto image = write_image(run.work.path(), 900);
  run.proxy.add_fault({.kind = Fault::Kind::stall_request,
                       .method = "PUT",
                       .target_contains = key_mark(step),
                       .stall = 30s});
  Child child = spawn_child(run.arguments({image.string()}));
  ASSERT_TRUE(wait_until([&] { return run.put_seen(key_mark(step)); }, 60s));
  kill_child(child);
  const std::string id = logged_id(run.log);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(log_lines(run.log, "job").empty()) << "the job ended before the kill";

  run.restart();
  auto catalog = run.open_catalog();
  expect_persisted_s3(*catalog, id, run.prefix, run.data_dir, image);
}

INSTANTIATE_TEST_SUITE_P(FaultMatrix, KilledDuringPut, ::testing::ValuesIn(kPuts), step_name);

// Holds a record in an open write transaction, as a slow writer of it would, until destroyed;
// then rolls back. The transaction first rewrites the record unchanged, so that on PostgreSQL it
// holds the record's row lock (SQLite's write lock covers the whole catalog from BEGIN): whoever
// commits a change of that record meanwhile waits.
class RecordHeld {
 public:
  RecordHeld(catalog::Catalog& catalog, std::string id) {
    auto held = held_.get_future();
    writer_ = std::thread([this, &catalog, id = std::move(id)] { hold(catalog, id); });
    try {
      held.get();
    } catch (...) {
      writer_.join();
      throw;
    }
  }
  ~RecordHeld() {
    release_.set_value();
    writer_.join();
  }
  RecordHeld(const RecordHeld&) = delete;
  RecordHeld& operator=(const RecordHeld&) = delete;

 private:
  struct Released {};

  void hold(catalog::Catalog& catalog, const std::string& id) {
    bool rewritten = false;
    try {
      // The record twice: the first patch rewrites it, the second waits inside the transaction.
      catalog.update_each({id, id}, [&](const Record& record) -> nlohmann::json {
        if (!rewritten) {
          rewritten = true;
          return {{"likes", record.likes}};
        }
        held_.set_value();
        release_.get_future().wait();
        throw Released{};
      });
    } catch (const Released&) {
    } catch (...) {
      held_.set_exception(std::current_exception());
    }
  }

  std::promise<void> held_;
  std::promise<void> release_;
  std::thread writer_;
};

// Killed with every object uploaded and the outcome not yet committed (another writer holds the
// record, so the commit waits): the restart redoes the job and commits once.
TEST(FaultMatrix, KilledBeforeTheCommitFinishesAfterRestart) {
  KilledRun run("killed-commit");
  const auto image = write_image(run.work.path(), 900);
  // The first attempt of each PUT is held for 2 s (then dropped, and sent again), time enough to
  // hold the record before the job can reach its commit.
  for (const Step put : kPuts) {
    run.proxy.add_fault({.kind = Fault::Kind::stall_request,
                         .method = "PUT",
                         .target_contains = key_mark(put),
                         .stall = 2s});
  }
  Child child = spawn_child(run.arguments({image.string()}));
  ASSERT_TRUE(wait_until([&] { return run.job_claimed(logged_id(run.log)); }, 60s));
  const std::string id = logged_id(run.log);
  {
    const auto writer = run.open_catalog();
    const RecordHeld held(*writer, id);
    ASSERT_TRUE(wait_until([&] { return bucket_keys(run.prefix).size() == 5; }, 60s))
        << "the uploads did not finish";
    std::this_thread::sleep_for(100ms);
    kill_child(child);
  }
  EXPECT_TRUE(log_lines(run.log, "job").empty()) << "the outcome was committed before the kill";
  {
    auto catalog = run.open_catalog();
    EXPECT_EQ(catalog->find(id)->storage_persist_status, PersistStatus::pending);
  }

  run.restart();
  auto catalog = run.open_catalog();
  expect_persisted_s3(*catalog, id, run.prefix, run.data_dir, image);
  std::size_t successes = 0;
  for (const auto& line : log_lines(run.log, "job")) successes += line.ends_with(" succeeded");
  EXPECT_EQ(successes, 1u);
}

// Killed as soon as the success is committed, before or after the staged copy is deleted: the
// record stays succeeded and the next start's sweep removes the staged copy left.
TEST(FaultMatrix, KilledAfterTheCommitLeavesOnlyAStagedCopyTheSweepRemoves) {
  KilledRun run("killed-delete");
  const auto image = write_image(run.work.path(), 900);
  Child child = spawn_child(run.arguments({"--linger", image.string()}));
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string id = logged_id(run.log);
        if (id.empty()) return false;
        auto catalog = run.open_catalog();
        const auto record = catalog->find(id);
        return record && record->storage_persist_status == PersistStatus::succeeded;
      },
      60s));
  kill_child(child);
  const std::string id = logged_id(run.log);

  run.restart();
  run.sweep_staging();
  auto catalog = run.open_catalog();
  expect_persisted_s3(*catalog, id, run.prefix, run.data_dir, image);
}

// ---------------------------------------------------------------------------------------------
// Full and read-only file systems, for real: tmpfs mounts and read-only bind mounts made by the
// test (it runs as root in CI; elsewhere these cells are skipped with the reason).

class Mount {
 public:
  // A tmpfs of `bytes` at `at`.
  static std::optional<Mount> tmpfs(const std::filesystem::path& at, std::size_t bytes) {
    std::filesystem::create_directories(at);
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) != 0) return std::nullopt;
    return Mount(at);
  }
  // `at` itself again, read-only: a bind mount over it.
  static std::optional<Mount> read_only(const std::filesystem::path& at) {
    std::filesystem::create_directories(at);
    if (::mount(at.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0) return std::nullopt;
    if (::mount(nullptr, at.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      ::umount2(at.c_str(), MNT_DETACH);
      return std::nullopt;
    }
    return Mount(at);
  }
  Mount(Mount&& other) noexcept : at_(std::exchange(other.at_, {})) {}
  Mount& operator=(Mount&&) = delete;
  ~Mount() { unmount(); }
  void unmount() {
    if (!at_.empty()) ::umount2(at_.c_str(), MNT_DETACH);
    at_.clear();
  }

 private:
  explicit Mount(std::filesystem::path at) : at_(std::move(at)) {}
  std::filesystem::path at_;
};

#define SKIP_WITHOUT_MOUNT(mount)                               \
  if (!(mount))                                                 \
  GTEST_SKIP() << "cannot mount here (" << std::strerror(errno) \
               << "): the disk-full and read-only cells need CAP_SYS_ADMIN"

bool says_disk_full(const std::string& message) {
  return message.find("No space left") != std::string::npos ||
         message.find("disk is full") != std::string::npos;
}

// Fills the file system holding `dir` but for `leave` bytes; returns the filler file.
std::filesystem::path fill(const std::filesystem::path& dir, std::size_t leave) {
  const auto filler = dir / "filler";
  const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the filler");
  const std::string block(4096, 'f');
  for (;;) {
    const auto free = std::filesystem::space(dir).available;
    if (free <= leave) break;
    const std::size_t chunk = std::min<std::size_t>(block.size(), free - leave);
    if (::write(fd, block.data(), chunk) <= 0) break;
  }
  ::close(fd);
  return filler;
}

// The staging store on a full disk: the upload is refused saying so, nothing is kept, and the next
// upload that fits is accepted and persisted.
TEST(FaultMatrix, DiskFullWhileStagingRefusesAndKeepsNothing) {
  TempDir dir;
  auto mount = Mount::tmpfs(dir.path() / "data", 8 << 20);
  SKIP_WITHOUT_MOUNT(mount);
  const auto data_dir = dir.path() / "data";
  const auto image = write_image(dir.path(), 1600);
  const auto config = quick_config(unique_prefix("full-stage"));
  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(*catalog, data_dir,
                                                   make_object_store(config, data_dir), config);
  const std::size_t room = 32 << 10;
  ASSERT_GT(std::filesystem::file_size(image), 2 * room);
  const auto filler = fill(data_dir, room);
  try {
    ingest_file(*persistence, image);
    FAIL() << "staging on a full disk was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io) << e.what();
    EXPECT_TRUE(says_disk_full(e.what())) << e.what();
  }
  RecordQuery all;
  EXPECT_TRUE(catalog->list(all).records.empty());
  EXPECT_EQ(files_under(data_dir / "staging"), 0u) << "a partial staged file was left";

  std::filesystem::remove(filler);
  const Record record = ingest_file(*persistence, image);
  persistence->wait_settled(record.id, 60s);
  expect_persisted_local(*catalog, record.id, config, data_dir, image);
}

// Every PUT to the local object store on a full disk: the job fails as retryable (the error says
// the disk is full), the staged copy is kept, and a backfill once there is room persists it.
TEST(FaultMatrix, DiskFullForTheLocalObjectStoreFailsThenBackfillPersists) {
  TempDir dir;
  const auto data_dir = dir.path() / "data";
  auto mount = Mount::tmpfs(data_dir / "objects", 1 << 20);
  SKIP_WITHOUT_MOUNT(mount);
  const auto image = write_image(dir.path(), 1600);
  const auto config = quick_config(unique_prefix("full-put"));
  const auto filler = fill(data_dir / "objects", 0);
  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(*catalog, data_dir,
                                                   make_object_store(config, data_dir), config);
  const Record pending = ingest_file(*persistence, image);
  const Record failed = persistence->wait_settled(pending.id, 60s);
  ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
  EXPECT_TRUE(says_disk_full(*failed.storage_persist_error)) << *failed.storage_persist_error;
  EXPECT_TRUE(persistence->staging_store().contains(*pending.storage_id));

  std::filesystem::remove(filler);
  EXPECT_EQ(persistence->backfill(), 1);
  persistence->wait_settled(pending.id, 60s);
  expect_persisted_local(*catalog, pending.id, config, data_dir, image);
}

// The catalog's file system full when the job would claim and commit: nothing is lost, the record
// stays pending with its staged copy, and it is persisted once there is room, without a backfill.
TEST(FaultMatrix, DiskFullForTheCatalogKeepsTheRecordPendingUntilThereIsRoom) {
  TempDir dir;
  const auto data_dir = dir.path() / "data";
  auto mount = Mount::tmpfs(data_dir, 16 << 20);
  SKIP_WITHOUT_MOUNT(mount);
  const auto image = write_image(dir.path(), 900);
  const auto prefix = unique_prefix("full-commit");
  const auto config = s3_config(prefix);
  auto catalog = catalog::SqliteCatalog::open(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(
      *catalog, data_dir, make_object_store(config, data_dir), config, /*start_workers=*/false);
  const Record pending = ingest_file(*persistence, image);
  const auto filler = fill(data_dir, 0);
  // The catalog's file may still have room in pages it already holds: write until it is full.
  std::optional<std::string> refusal;
  for (int i = 0; i < 5000 && !refusal; ++i) {
    try {
      pindeck::test::make_record(*catalog, std::string(200, 'x') + std::to_string(i));
    } catch (const Error& e) {
      refusal = e.what();
    }
  }
  ASSERT_TRUE(refusal) << "the catalog could still be written: the disk is not full for it";
  EXPECT_TRUE(says_disk_full(*refusal)) << *refusal;
  persistence->start_workers();
  std::this_thread::sleep_for(3s);
  const auto during = catalog->find(pending.id);
  ASSERT_TRUE(during);
  EXPECT_EQ(during->storage_persist_status, PersistStatus::pending)
      << during->storage_persist_error.value_or("");
  EXPECT_TRUE(persistence->staging_store().contains(*pending.storage_id));

  std::filesystem::remove(filler);
  persistence->wait_settled(pending.id, 60s);
  expect_persisted_s3(*catalog, pending.id, prefix, data_dir, image);
}

// The staging store read-only: the upload is refused saying so and nothing is kept.
TEST(FaultMatrix, ReadOnlyStagingRefusesTheUploadAndKeepsNothing) {
  TempDir dir;
  const auto data_dir = dir.path() / "data";
  const auto image = write_image(dir.path(), 900);
  const auto config = quick_config(unique_prefix("ro-stage"));
  std::filesystem::create_directories(data_dir);
  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(*catalog, data_dir,
                                                   make_object_store(config, data_dir), config);
  auto mount = Mount::read_only(data_dir / "staging");
  SKIP_WITHOUT_MOUNT(mount);
  try {
    ingest_file(*persistence, image);
    FAIL() << "staging on a read-only file system was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io) << e.what();
    EXPECT_NE(std::string(e.what()).find("Read-only file system"), std::string::npos) << e.what();
  }
  RecordQuery all;
  EXPECT_TRUE(catalog->list(all).records.empty());
  mount->unmount();
  EXPECT_EQ(files_under(data_dir / "staging"), 0u);
  const Record record = ingest_file(*persistence, image);
  persistence->wait_settled(record.id, 60s);
  expect_persisted_local(*catalog, record.id, config, data_dir, image);
}

// The local object store read-only: the job fails as retryable, the staged copy is kept, and a
// backfill once it is writable again persists it.
TEST(FaultMatrix, ReadOnlyLocalObjectStoreFailsThenBackfillPersists) {
  TempDir dir;
  const auto data_dir = dir.path() / "data";
  const auto image = write_image(dir.path(), 900);
  const auto config = quick_config(unique_prefix("ro-put"));
  std::filesystem::create_directories(data_dir);
  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(*catalog, data_dir,
                                                   make_object_store(config, data_dir), config);
  // Read-only once the store is open, as when a volume is remounted under a running process.
  auto mount = Mount::read_only(data_dir / "objects");
  SKIP_WITHOUT_MOUNT(mount);
  const Record pending = ingest_file(*persistence, image);
  const Record failed = persistence->wait_settled(pending.id, 60s);
  ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
  EXPECT_NE(failed.storage_persist_error->find("Read-only file system"), std::string::npos)
      << *failed.storage_persist_error;
  EXPECT_TRUE(persistence->staging_store().contains(*pending.storage_id));

  mount->unmount();
  EXPECT_EQ(persistence->backfill(), 1);
  persistence->wait_settled(pending.id, 60s);
  expect_persisted_local(*catalog, pending.id, config, data_dir, image);
}

// The staging store read-only after the ingest: the job reads the staged copy, uploads, commits;
// only the deletion of the staged copy fails, so the record is succeeded and the copy stays until
// a sweep once the file system is writable.
TEST(FaultMatrix, ReadOnlyStagingAtTheDeletionLeavesACopyTheSweepRemoves) {
  TempDir dir;
  const auto data_dir = dir.path() / "data";
  const auto image = write_image(dir.path(), 900);
  const auto prefix = unique_prefix("ro-delete");
  const auto config = s3_config(prefix);
  std::filesystem::create_directories(data_dir);
  auto catalog = test::open_catalog(data_dir / "catalog.sqlite");
  auto persistence = std::make_unique<Persistence>(
      *catalog, data_dir, make_object_store(config, data_dir), config, /*start_workers=*/false);
  const Record pending = ingest_file(*persistence, image);
  auto mount = Mount::read_only(data_dir / "staging");
  SKIP_WITHOUT_MOUNT(mount);
  persistence->start_workers();
  const Record settled = persistence->wait_settled(pending.id, 60s);
  ASSERT_EQ(settled.storage_persist_status, PersistStatus::succeeded)
      << settled.storage_persist_error.value_or("");
  EXPECT_TRUE(std::filesystem::exists(persistence->staging_store().path_of(*pending.storage_id)))
      << "the staged copy was deleted from a read-only file system";

  mount->unmount();
  EXPECT_EQ(persistence->sweep_orphaned_staging(0ms), 1);
  expect_persisted_s3(*catalog, pending.id, prefix, data_dir, image);
}

}  // namespace
}  // namespace pindeck::pipeline
