// SPDX-License-Identifier: Apache-2.0
// Persist-job claims per second with 1, 2 and 4 worker processes, on SQLite and on PostgreSQL
// (issue 8). Each round queues jobs_per_round jobs, then forks the workers; each opens its own
// catalog and, as a persistence worker does, claims a job and completes it (a no-op record edit),
// each step its own transaction, until the queue is empty. The time runs from the moment every
// worker is connected and told to start until the last one has exited.
//
// Backends:
//  - sqlite-disk: a file under the temporary directory, synchronous=FULL (each commit waits for
//    the disk).
//  - sqlite-tmpfs: the same on /dev/shm, where a sync costs nothing: comparable with a PostgreSQL
//    server that runs without fsync.
//  - postgresql-fsync-on|off: the server PINDECK_BENCH_PG_URL names, when set (run
//    benchmarks/catalog/claims.sh to start one); the name says whether the server syncs commits.
//
// Counters, each per second of the rounds: claims_per_s; worker_cores, the CPU the worker
// processes used (their SQLite or libpq work); server_cores, the PostgreSQL server's (when
// PINDECK_BENCH_PG_SERVER_PID names its postmaster; both include each worker's opening its catalog,
// a few ms, though that is before the time measured); machine_cores and iowait_cores, the whole
// machine's busy and I/O-waiting CPU (from /proc/stat: also anyone else running at the time, so a
// value near the core count means the workers competed for CPU). The CPU column is the parent's:
// queueing the jobs and removing the records afterwards, outside the time measured.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/postgres/connection.hpp"

namespace {

using namespace std::chrono_literals;
using pindeck::Record;
using pindeck::catalog::Catalog;
using pindeck::catalog::open_catalog_at;

constexpr int jobs_per_round = 1000;

// CPU seconds since boot the machine spent busy and waiting for I/O, summed over its cores.
struct MachineCpu {
  double busy = 0;
  double iowait = 0;
};

MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string label;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {static_cast<double>(user + nice + system + irq + softirq) / ticks,
          static_cast<double>(iowait) / ticks};
}

// CPU seconds a process and its children that ended used. For the PostgreSQL postmaster that is
// the server: each connection's backend is its child, reaped when the connection closes.
double process_cpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 1));
  std::string skipped;
  // After the name come the state and ten more fields, then utime, stime, cutime and cstime.
  for (int i = 0; i < 11; ++i) fields >> skipped;
  long long user = 0, system = 0, children_user = 0, children_system = 0;
  if (!(fields >> user >> system >> children_user >> children_system)) {
    throw std::runtime_error("cannot read the CPU time of process " + std::to_string(pid));
  }
  return static_cast<double>(user + system + children_user + children_system) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}

// A pipe whose ends are closed when it goes out of scope (or earlier, by close_*).
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
};

// The body of a forked worker: it must never return into the benchmark, and it leaves the
// parent's catalog alone (_exit runs no destructors: closing a copy of the parent's PostgreSQL
// connection would end the parent's session).
[[noreturn]] void run_worker(const std::string& location, Pipe& ready, Pipe& start, Pipe& done) {
  // Only the parent may hold the start pipe's write end, or the start signal (its closing) never
  // comes; the ready pipe's is closed once ready, so that a worker that failed is seen at once.
  start.close_write();
  int completed = 0;
  int status = 0;
  try {
    auto catalog = open_catalog_at(location);
    auto jobs = catalog->persist_jobs("claims-bench-" + std::to_string(::getpid()), 60s);
    const char byte = 1;
    if (::write(ready.write_end, &byte, 1) != 1) throw std::runtime_error("cannot signal ready");
    ready.close_write();
    char ignored;
    // The parent closes the start pipe: every worker's read returns at once.
    if (::read(start.read_end, &ignored, 1) != 0) throw std::runtime_error("bad start signal");
    while (auto job = jobs->claim()) {
      if (jobs->complete(*job, [](Record&) { return true; })) ++completed;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "claims worker %d: %s\n", ::getpid(), e.what());
    status = 1;
  }
  const bool reported = ::write(done.write_end, &completed, sizeof completed) == sizeof completed;
  ::_exit(reported ? status : 1);
}

// Queues `count` jobs (a record each) and returns the records' ids.
std::vector<std::string> queue_jobs(Catalog& catalog, int count) {
  auto jobs = catalog.persist_jobs("claims-bench-setup", 60s);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    Record record;
    record.title = "claim " + std::to_string(i);
    ids.push_back(jobs->insert_with_job(record).record.id);
  }
  return ids;
}

// `server`: the PostgreSQL postmaster's pid, 0 when unknown or SQLite.
void BM_Claims(benchmark::State& state, const std::string& location, int workers, pid_t server) {
  auto catalog = open_catalog_at(location);
  double wall = 0, worker_cpu = 0, server_cpu = 0, busy = 0, iowait = 0;
  std::int64_t claims = 0;
  for (auto _ : state) {
    const auto ids = queue_jobs(*catalog, jobs_per_round);
    Pipe ready, start, done;
    std::vector<pid_t> children;
    for (int w = 0; w < workers; ++w) {
      const pid_t pid = ::fork();
      if (pid == 0) run_worker(location, ready, start, done);
      if (pid < 0) throw std::runtime_error("fork failed");
      children.push_back(pid);
    }
    ready.close_write();
    done.close_write();
    for (int w = 0; w < workers; ++w) {
      char byte;
      if (::read(ready.read_end, &byte, 1) != 1) break;  // a worker failed: its status says so
    }

    const auto cpu_before = machine_cpu();
    const double server_before = server != 0 ? process_cpu(server) : 0;
    const auto began = std::chrono::steady_clock::now();
    start.close_write();
    bool failed = false;
    for (const pid_t pid : children) {
      int status = 0;
      rusage usage{};
      ::wait4(pid, &status, 0, &usage);
      failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
      worker_cpu += seconds(usage.ru_utime) + seconds(usage.ru_stime);
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - began;
    const auto cpu_after = machine_cpu();
    if (server != 0) {
      // The workers' backends end when their connections close, a moment after the workers.
      std::this_thread::sleep_for(200ms);
      server_cpu += process_cpu(server) - server_before;
    }

    int round_claims = 0;
    for (int completed = 0; ::read(done.read_end, &completed, sizeof completed) ==
                            static_cast<ssize_t>(sizeof completed);) {
      round_claims += completed;
    }
    if (failed || round_claims != jobs_per_round) {
      state.SkipWithError("a worker failed or jobs were left (see stderr)");
      break;
    }
    state.SetIterationTime(elapsed.count());
    wall += elapsed.count();
    claims += round_claims;
    busy += cpu_after.busy - cpu_before.busy;
    iowait += cpu_after.iowait - cpu_before.iowait;
    catalog->remove_records(ids, false, false);
  }
  if (wall == 0) return;
  state.counters["claims_per_s"] = static_cast<double>(claims) / wall;
  state.counters["worker_cores"] = worker_cpu / wall;
  if (server != 0) state.counters["server_cores"] = server_cpu / wall;
  state.counters["machine_cores"] = busy / wall;
  state.counters["iowait_cores"] = iowait / wall;
}

void register_backend(const std::string& name, const std::string& location, pid_t server = 0) {
  for (const int workers : {1, 2, 4}) {
    benchmark::RegisterBenchmark(
        ("BM_Claims/" + name + "/workers:" + std::to_string(workers)).c_str(), BM_Claims, location,
        workers, server)
        ->Iterations(1)
        ->Repetitions(3)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
}

// A fresh directory for one SQLite catalog under `parent`.
std::filesystem::path sqlite_dir(const std::filesystem::path& parent) {
  auto dir = parent / ("pindeck-claims-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::vector<std::filesystem::path> dirs = {sqlite_dir(std::filesystem::temp_directory_path())};
  register_backend("sqlite-disk", "sqlite:" + (dirs.back() / "catalog.sqlite").string());
  if (std::filesystem::is_directory("/dev/shm")) {
    dirs.push_back(sqlite_dir("/dev/shm"));
    register_backend("sqlite-tmpfs", "sqlite:" + (dirs.back() / "catalog.sqlite").string());
  } else {
    std::fprintf(stderr, "no /dev/shm: sqlite-tmpfs is not measured\n");
  }
  if (const char* url = std::getenv("PINDECK_BENCH_PG_URL"); url != nullptr && *url != '\0') {
    const auto fsync = pindeck::catalog::postgres::Connection::open(url)->exec("SHOW fsync");
    const char* pid = std::getenv("PINDECK_BENCH_PG_SERVER_PID");
    if (pid == nullptr)
      std::fprintf(stderr, "PINDECK_BENCH_PG_SERVER_PID is not set: no server_cores\n");
    register_backend("postgresql-fsync-" + fsync.text(0, 0), url,
                     pid != nullptr ? std::stoi(pid) : 0);
  } else {
    std::fprintf(stderr,
                 "PINDECK_BENCH_PG_URL is not set: PostgreSQL is not measured, only SQLite "
                 "(benchmarks/catalog/claims.sh starts a server and sets it)\n");
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& dir : dirs) std::filesystem::remove_all(dir);
  return 0;
}
