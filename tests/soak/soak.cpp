// SPDX-License-Identifier: Apache-2.0
// pindeck_soak: one long-running libpindeck host against the test S3 server, with faults injected
// at random between them (tests/support/fault_proxy). It uploads (sample photographs and generated
// images), removes (Client::remove) and backfills, checks the invariants of invariants.hpp every
// minute, and watches its resident memory and open file descriptors. At the end the faults stop,
// the pipeline drains, a strict final check runs, and a summary is printed. Exit status: 0 when
// every invariant held, 1 when one failed, 2 when the soak could not run.
//
// Run it through scripts/soak.sh, which starts and stops the S3 server; `--help` lists options.
#include <sqlite3.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fault_injector.hpp"
#include "fault_proxy.hpp"
#include "image_pool.hpp"
#include "invariants.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/s3_object_store.hpp"
#include "process_stats.hpp"
#include "s3/client.hpp"
#include "s3_test_env.hpp"

namespace pindeck::soak {
namespace {

using test::Gauge;
using test::heap_in_use_kib;
using test::mib;
using test::open_fds;
using test::port_of;
using test::resident_kib;
using test::status_field;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Idle as a host between bursts is: past the worker pool's late release (30 s), which follows the
// end of libvips' idle worker threads.
constexpr auto idle_wait = std::chrono::seconds(35);

constexpr const char* usage = R"(usage: pindeck_soak [options]
  --minutes N             how long to run before draining (default 60; fractions allowed)
  --check-seconds N       seconds between invariant checks (default 60)
  --work DIR              data directory and generated images (default: a new one under /tmp)
  --seed N                random seed (default: from the clock; printed)
  --population N          records the soak keeps alive, about (default 120)
  --fault-gap N           mean seconds between fault episodes (default 20; 0 = no faults)
  --sample-share X        share of uploads that are the 5120x2880 sample photographs (0.05)
  --clean-after-remove    the soak deletes a removed record's objects itself, and removes only
                          settled records: for a library whose Client::remove deletes only the
                          catalog row (before the delete-that-cleans-up work)
  --rss-growth X          allowed growth of idle RSS, end over start (default 0.10)
  --plant KIND            break an invariant on purpose before the first check, to see it caught:
                          orphan (an object no record names), missing-object (delete an object of
                          a succeeded record), lost-record (remove a record behind the soak's back)
Needs PINDECK_TEST_S3_ENV (written by tests/s3-server/start-rgw.sh; scripts/soak.sh sets it).
)";

struct Options {
  double minutes = 60;
  int check_seconds = 60;
  std::filesystem::path work;
  unsigned seed = static_cast<unsigned>(Clock::now().time_since_epoch().count());
  std::size_t population = 120;
  int fault_gap = 20;
  double sample_share = 0.05;
  bool clean_after_remove = false;
  double rss_growth = 0.10;
  std::string plant;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--minutes") {
      o.minutes = std::stod(value());
    } else if (arg == "--check-seconds") {
      o.check_seconds = std::stoi(value());
    } else if (arg == "--work") {
      o.work = value();
    } else if (arg == "--seed") {
      o.seed = static_cast<unsigned>(std::stoul(value()));
    } else if (arg == "--population") {
      o.population = std::stoul(value());
    } else if (arg == "--fault-gap") {
      o.fault_gap = std::stoi(value());
    } else if (arg == "--sample-share") {
      o.sample_share = std::stod(value());
    } else if (arg == "--clean-after-remove") {
      o.clean_after_remove = true;
    } else if (arg == "--rss-growth") {
      o.rss_growth = std::stod(value());
    } else if (arg == "--plant") {
      o.plant = value();
      if (o.plant != "orphan" && o.plant != "missing-object" && o.plant != "lost-record")
        throw std::invalid_argument("--plant takes orphan, missing-object or lost-record");
    } else if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + arg);
    }
  }
  if (o.minutes <= 0 || o.check_seconds < 1 || o.population < 2 || o.fault_gap < 0)
    throw std::invalid_argument(
        "--minutes, --check-seconds, --population or --fault-gap out of range");
  return o;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Counts by operation, and the first few distinct error messages of each.
struct OperationLog {
  std::map<std::string, long> counts;
  std::map<std::string, std::set<std::string>> errors;
  void ok(const std::string& op, long n = 1) { counts[op] += n; }
  void error(const std::string& op, const std::exception& e) {
    ++counts[op + " error"];
    auto& seen = errors[op];
    if (seen.size() < 5) seen.insert(e.what());
  }
};

// Outcomes of the waits started for each upload (they complete on the library's event thread).
struct Settlements {
  std::atomic<long> waiting{0};
  std::atomic<long> succeeded{0};
  std::atomic<long> failed{0};
  std::atomic<long> gone{0};  // removed before it settled, or the wait ended otherwise
};

class Soak {
 public:
  explicit Soak(Options options)
      : o_(std::move(options)),
        random_(o_.seed),
        server_(test::load_s3_test_server()),
        proxy_("127.0.0.1", port_of(server_.settings.endpoint)),
        direct_(pipeline::s3_client_config(server_.settings, server_.bucket)),
        prefix_("soak-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::system_clock::now().time_since_epoch() / 1s)),
        pool_(o_.work / "images", 40, o_.seed),
        client_(Client::open(o_.work / "data")),
        checker_(client_, direct_, prefix_),
        faults_(proxy_, o_.seed + 1, std::chrono::seconds(std::max(o_.fault_gap, 1))) {
    PersistenceConfig config;
    config.s3 = server_.settings;
    config.s3->endpoint = proxy_.endpoint();
    config.bucket = server_.bucket;
    config.key_prefix = prefix_;
    // Shorter than the defaults (2 s to 20 s), so that an outage of ten seconds or more uses up
    // the attempts and leaves failed records for backfill to reschedule.
    config.retry_min_delay = 500ms;
    config.retry_max_delay = 4s;
    client_.start_persistence(config);
  }

  int run() {
    std::printf("soak: seed %u, %.1f min, checks every %d s, prefix %s, work %s\n", o_.seed,
                o_.minutes, o_.check_seconds, prefix_.c_str(), o_.work.c_str());
    warm_up();
    sample_resources();
    std::printf("soak: after warm-up: RSS %.1f MiB, open fds %ld (+ %ld sockets)\n",
                mib(rss_.start), files_.start, sockets_.start);

    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o_.minutes * 60));
    auto next_check = start + std::chrono::seconds(o_.check_seconds);
    auto next_backfill = start + 30s;
    std::uniform_int_distribution<int> pace_ms(100, 700);
    while (Clock::now() < end) {
      const auto now = Clock::now();
      if (o_.fault_gap > 0) faults_.tick(now);
      if (now >= next_check) {
        if (checks_ == 0 && !o_.plant.empty()) plant();
        run_check(false, start);
        next_check = Clock::now() + std::chrono::seconds(o_.check_seconds);
      }
      if (now >= next_backfill) {
        backfill();
        next_backfill = now + 30s;
      }
      step();
      std::this_thread::sleep_for(std::chrono::milliseconds(pace_ms(random_)));
    }

    faults_.stop();
    std::printf("soak: %.0f s done; faults stopped, draining\n", seconds_since(start));
    drain();
    finish_cleanup();
    // Idle, measured as the start was: after the library's work, before the final check (whose
    // listing of every record and object frees memory that malloc keeps until its next trim).
    std::this_thread::sleep_for(idle_wait);
    sample_resources();
    check_resources_at_end();
    run_check(true, start);
    summary(start);
    return failed_checks_ == 0 ? 0 : 1;
  }

 private:
  void warm_up() {
    // Every kind of image once: each format's code paged in, thread pools started.
    for (const auto& path : pool_.all()) upload(path);
    wait_for_settlements(5min);
    std::this_thread::sleep_for(idle_wait);  // idle, as the end is measured
  }

  void step() {
    const bool backlog = settlements_.waiting.load() > static_cast<long>(o_.population / 2);
    const bool need_more = live_.size() < o_.population / 2;
    const bool too_many = live_.size() > o_.population;
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    if (too_many || (!need_more && (backlog || coin(random_) < 0.4))) {
      remove();
    } else if (!backlog) {
      upload();
    }
  }

  void upload() { upload(pool_.pick(random_, o_.sample_share)); }

  void upload(const std::filesystem::path& path) {
    Record metadata;
    metadata.title = "soak " + std::to_string(++uploads_) + " " + path.stem().string();
    metadata.tags = {"soak", path.extension().string().substr(1)};
    try {
      const Record record = client_.upload_file(path, metadata);
      live_.insert(record.id);
      log_.ok("upload");
      watch(record.id);
    } catch (const std::exception& e) {
      log_.error("upload", e);
    }
  }

  void watch(const std::string& id) {
    ++settlements_.waiting;
    detail::ClientAccess::wait_persisted(
        client_, id, 2h, [s = &settlements_](std::exception_ptr failure, const Record& record) {
          --s->waiting;
          if (failure) {
            ++s->gone;
          } else if (record.storage_persist_status == PersistStatus::succeeded) {
            ++s->succeeded;
          } else if (record.storage_persist_status == PersistStatus::failed) {
            ++s->failed;
          }
        });
  }

  void remove() {
    if (live_.empty()) return;
    auto it = live_.begin();
    std::advance(it, static_cast<long>(random_() % live_.size()));
    const std::string id = *it;
    try {
      std::vector<std::string> keys;
      if (o_.clean_after_remove) {
        const Record record = client_.get(id);
        if (record.storage_persist_status == PersistStatus::pending) return;
        keys = object_keys(record);
      }
      client_.remove(id);
      live_.erase(id);
      removed_.insert(id);
      log_.ok("remove");
      if (!keys.empty()) {
        const auto result = direct_.delete_objects(keys);
        log_.ok("objects deleted by the soak after remove",
                static_cast<long>(result.deleted.size()));
      }
    } catch (const std::exception& e) {
      log_.error("remove", e);
    }
  }

  void backfill() {
    try {
      log_.ok("backfill");
      log_.ok("backfill rescheduled", client_.backfill(50));
    } catch (const std::exception& e) {
      log_.error("backfill", e);
    }
  }

  void wait_for_settlements(std::chrono::seconds limit) {
    const auto until = Clock::now() + limit;
    while (settlements_.waiting.load() > 0 && Clock::now() < until)
      std::this_thread::sleep_for(200ms);
  }

  // With the server healthy again: reschedule what failed until every record succeeded, for at
  // most five minutes (each round waits for the rescheduled records to settle).
  // Removals still backing off after the faults ended run now, as a host does before it exits.
  void finish_cleanup() {
    try {
      const auto left = client_.finish_cleanup(2min);
      log_.ok("removals left after finish_cleanup", static_cast<long>(left));
    } catch (const std::exception& e) {
      log_.error("finish_cleanup", e);
    }
  }

  void drain() {
    const auto until = Clock::now() + 5min;
    wait_for_settlements(3min);
    while (Clock::now() < until) {
      RecordQuery query;
      query.limit = 1000;
      int unsettled = 0;
      for (;;) {
        const auto page = client_.list(query);
        for (const auto& record : page.records)
          unsettled += record.storage_persist_status != PersistStatus::succeeded;
        if (!page.next_cursor) break;
        query.cursor = page.next_cursor;
      }
      if (unsettled == 0) return;
      int rescheduled = 0;
      try {
        rescheduled = client_.backfill(200);
        log_.ok("backfill");
        log_.ok("backfill rescheduled", rescheduled);
      } catch (const std::exception& e) {
        log_.error("backfill", e);
      }
      std::this_thread::sleep_for(rescheduled > 0 ? 5s : 2s);
    }
  }

  void plant() {
    std::printf("soak: planting: %s\n", o_.plant.c_str());
    if (o_.plant == "orphan") {
      direct_.put_buffer(prefix_ + "/2026/01_01/original/planted-orphan-x1y2z3.jpg", "planted");
      return;
    }
    for (const auto& id : live_) {
      const Record record = client_.get(id);
      if (record.storage_persist_status != PersistStatus::succeeded) continue;
      if (o_.plant == "missing-object") {
        direct_.delete_object(*record.storage_path);
      } else {  // lost-record: gone from the catalog though the host never removed it
        client_.remove(id);
        if (o_.clean_after_remove) direct_.delete_objects(object_keys(record));
      }
      return;
    }
    std::printf("soak: nothing succeeded yet to plant on\n");
  }

  void sample_resources() {
    rss_.sample(resident_kib());
    anonymous_.sample(status_field("RssAnon"));
    mapped_files_.sample(status_field("RssFile"));
    threads_.sample(status_field("Threads"));
    heap_.sample(heap_in_use_kib());
    sqlite_.sample(static_cast<long>(sqlite3_memory_used() / 1024));
    const auto fds = open_fds();
    files_.sample(fds.others);
    sockets_.sample(fds.sockets);
  }

  void run_check(bool final, Clock::time_point start) {
    ++checks_;
    sample_resources();
    CheckReport report;
    try {
      report = checker_.check(live_, removed_, final);
    } catch (const std::exception& e) {
      report.failures.push_back(std::string("check could not run: ") + e.what());
    }
    removed_.clear();
    proxy_.forget_requests();
    // Jobs in flight hold a few files (staged copies, images being read); sockets are pooled
    // connections, up to 16 per S3 client, each three descriptors here with the proxy in process.
    if (files_.last > files_.start + 16) {
      report.failures.push_back("open fds (not sockets) " + std::to_string(files_.last) +
                                " > start " + std::to_string(files_.start) + " + 16");
    }
    if (sockets_.last > sockets_.start + 3 * 16 + 16) {
      report.failures.push_back("open sockets " + std::to_string(sockets_.last) + " > start " +
                                std::to_string(sockets_.start) + " + 64");
    }
    std::printf(
        "[%s check %d at %5.0f s] records %d (succeeded %d, pending %d, failed %d), objects %d, "
        "orphans seen %d (removal queued %d), RSS %.1f MiB (heap in use %.1f, SQLite %.1f), fds "
        "%ld + %ld sockets: %s\n",
        final ? "final" : "minute", checks_, seconds_since(start), report.records, report.succeeded,
        report.pending, report.failed, report.objects, report.orphans_seen, report.removals_queued,
        mib(rss_.last), mib(heap_.last), mib(sqlite_.last), files_.last, sockets_.last,
        report.failures.empty() ? "ok" : "FAILED");
    for (const auto& failure : report.failures) std::printf("    %s\n", failure.c_str());
    std::fflush(stdout);
    if (!report.failures.empty()) ++failed_checks_;
  }

  void check_resources_at_end() {
    idle_rss_at_end_ = rss_.last;
    std::vector<std::string> failures;
    const long rss_limit = static_cast<long>(static_cast<double>(rss_.start) * (1 + o_.rss_growth));
    if (rss_.last > rss_limit) {
      failures.push_back("idle RSS at the end " + std::to_string(mib(rss_.last)) +
                         " MiB > start x " + std::to_string(1 + o_.rss_growth));
    }
    if (files_.last > files_.start + 2) {
      failures.push_back("open fds (not sockets) at the end " + std::to_string(files_.last) +
                         " > start " + std::to_string(files_.start) + " + 2");
    }
    // Idle pooled connections stay open for a while (curl closes them after about two minutes).
    if (sockets_.last > sockets_.start + 3 * 16) {
      failures.push_back("open sockets at the end " + std::to_string(sockets_.last) + " > start " +
                         std::to_string(sockets_.start) + " + 48");
    }
    ++checks_;
    std::printf(
        "[resources check %d] idle RSS %.1f MiB (start %.1f; anonymous %.1f, start %.1f; mapped "
        "files %.1f, start %.1f; heap in use %.1f, start %.1f; SQLite %.1f, start %.1f; threads "
        "%ld, start %ld), fds %ld (start %ld), sockets %ld (start %ld): %s\n",
        checks_, mib(rss_.last), mib(rss_.start), mib(anonymous_.last), mib(anonymous_.start),
        mib(mapped_files_.last), mib(mapped_files_.start), mib(heap_.last), mib(heap_.start),
        mib(sqlite_.last), mib(sqlite_.start), threads_.last, threads_.start, files_.last,
        files_.start, sockets_.last, sockets_.start, failures.empty() ? "ok" : "FAILED");
    for (const auto& failure : failures) std::printf("    %s\n", failure.c_str());
    if (!failures.empty()) ++failed_checks_;
  }

  void summary(Clock::time_point start) {
    std::printf("\n==== soak summary (seed %u, %.1f min including drain) ====\n", o_.seed,
                seconds_since(start) / 60);
    std::printf("operations:\n");
    for (const auto& [op, n] : log_.counts) std::printf("  %-44s %ld\n", op.c_str(), n);
    std::printf("  %-44s %ld succeeded, %ld failed, %ld ended otherwise, %ld still waiting\n",
                "first settlement of each upload", settlements_.succeeded.load(),
                settlements_.failed.load(), settlements_.gone.load(), settlements_.waiting.load());
    for (const auto& [op, messages] : log_.errors) {
      for (const auto& m : messages) std::printf("  %s error: %s\n", op.c_str(), m.c_str());
    }
    std::printf("faults injected (episodes):\n");
    for (int k = 0; k < fault_kinds; ++k) {
      std::printf("  %-44s %d\n", fault_name(static_cast<FaultKind>(k)), faults_.episodes()[k]);
    }
    std::printf("  %-44s %d\n", "connections faulted by the proxy", faults_.connections_faulted());
    std::printf("  %-44s %.0f\n", "seconds the server was down", faults_.seconds_down());
    std::printf("invariant checks: %d run, %d failed\n", checks_, failed_checks_);
    std::printf("RSS: start %.1f MiB, peak %.1f MiB, idle at the end %.1f MiB\n", mib(rss_.start),
                mib(rss_.peak), mib(idle_rss_at_end_));
    std::printf("open fds (not sockets): start %ld, peak %ld, end %ld\n", files_.start, files_.peak,
                files_.last);
    std::printf("open sockets: start %ld, peak %ld, end %ld\n", sockets_.start, sockets_.peak,
                sockets_.last);
    std::printf("result: %s\n", failed_checks_ == 0 ? "PASS" : "FAIL");
  }

  Options o_;
  std::mt19937 random_;
  test::S3TestServer server_;
  test::FaultProxy proxy_;
  s3::Client direct_;
  std::string prefix_;
  ImagePool pool_;
  // Before client_: the waits the client ends when it closes still count here.
  Settlements settlements_;
  Client client_;
  InvariantChecker checker_;
  FaultInjector faults_;

  std::set<std::string> live_;
  std::set<std::string> removed_;  // since the last check
  long uploads_ = 0;
  OperationLog log_;
  int checks_ = 0;
  int failed_checks_ = 0;
  Gauge rss_;
  long idle_rss_at_end_ = 0;
  Gauge anonymous_;     // of rss_: heap and stacks
  Gauge mapped_files_;  // of rss_: libraries' code, the catalog's mapped pages
  Gauge threads_;
  Gauge heap_;    // malloc's bytes in use
  Gauge sqlite_;  // of heap_: SQLite's (page caches, statements)
  Gauge files_;
  Gauge sockets_;
};

}  // namespace
}  // namespace pindeck::soak

int main(int argc, char** argv) {
  using namespace pindeck::soak;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when piped to a file
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "pindeck_soak: " << e.what() << "\n" << usage;
    return 2;
  }
  try {
    if (options.work.empty()) {
      char pattern[] = "/tmp/pindeck-soak-XXXXXX";
      if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
      options.work = pattern;
    }
    Soak soak(options);
    return soak.run();
  } catch (const std::exception& e) {
    std::cerr << "pindeck_soak: " << e.what() << "\n";
    return 2;
  }
}
