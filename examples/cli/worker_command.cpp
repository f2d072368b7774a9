// SPDX-License-Identifier: Apache-2.0
#include "worker_command.hpp"

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <variant>

#include "pindeck/persistence.hpp"

namespace pindeck_cli {

namespace {

struct HealthCounts {
  std::int64_t claimed = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
  std::int64_t in_flight = 0;
};

// Counts this process's jobs from its persistence events; fed on the client's event thread, read
// on the main thread.
class JobTally {
 public:
  void count(const pindeck::PersistenceEvent& event) {
    std::lock_guard lock(mutex_);
    if (const auto* upload = std::get_if<pindeck::UploadProgressEvent>(&event)) {
      if (unsettled_.insert(upload->record_id).second) ++counts_.claimed;
      return;
    }
    const auto& status = std::get<pindeck::PersistStatusEvent>(event);
    // Pending is announced for uploads and backfills of this client, which a worker makes none of.
    if (status.status == pindeck::PersistStatus::pending) return;
    if (unsettled_.erase(status.record_id) == 0) ++counts_.claimed;
    ++(status.status == pindeck::PersistStatus::succeeded ? counts_.done : counts_.failed);
  }

  HealthCounts counts() const {
    std::lock_guard lock(mutex_);
    HealthCounts now = counts_;
    now.in_flight = static_cast<std::int64_t>(unsettled_.size());
    return now;
  }

 private:
  mutable std::mutex mutex_;
  HealthCounts counts_;
  std::set<std::string> unsettled_;
};

void print_health(const HealthCounts& counts, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"claimed", counts.claimed},
                                {"done", counts.done},
                                {"failed", counts.failed},
                                {"inFlight", counts.in_flight}}
                     .dump();
  } else {
    std::cout << "pindeck worker: claimed " << counts.claimed << ", done " << counts.done
              << ", failed " << counts.failed << ", in flight " << counts.in_flight;
  }
  // Read line by line by whatever watches the worker, often through a pipe: never held back.
  std::cout << std::endl;
}

sigset_t worker_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  return signals;
}

// The next of `signals` to arrive, or 0 once `deadline` passes (never, without one).
int next_signal(const sigset_t& signals,
                std::optional<std::chrono::steady_clock::time_point> deadline) {
  for (;;) {
    int number = 0;
    if (!deadline) {
      const int error = sigwait(&signals, &number);
      if (error != 0) throw std::system_error(error, std::generic_category(), "sigwait");
      return number;
    }
    const auto left = std::max(*deadline - std::chrono::steady_clock::now(),
                               std::chrono::steady_clock::duration::zero());
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec timeout{
        static_cast<time_t>(seconds.count()),
        static_cast<long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(left - seconds).count())};
    number = sigtimedwait(&signals, nullptr, &timeout);
    if (number > 0) return number;
    if (errno == EAGAIN) return 0;
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "sigtimedwait");
  }
}

}  // namespace

void add_worker_command(CLI::App& app, WorkerCommand& command, bool& json_out) {
  command.cmd = app.add_subcommand(
      "worker",
      "run only the background workers (no ingest) until SIGTERM or SIGINT, which let the jobs "
      "in flight finish; SIGUSR1 prints a health line");
  command.cmd
      ->add_option("--interval", command.interval_seconds,
                   "also print the health line every this many seconds (1 to 86400)")
      ->check(CLI::Range(1, 86400));
  command.cmd
      ->add_option("--lease", command.lease_seconds,
                   "seconds after which a job this worker claimed goes to another worker if this "
                   "one dies (1 to 86400; default 30)")
      ->check(CLI::Range(1, 86400));
  command.cmd->add_flag("--json", json_out,
                        "print each health line as {\"claimed\", \"done\", \"failed\", "
                        "\"inFlight\"}");
}

int run_worker(const WorkerCommand& command, const std::filesystem::path& data_dir,
               const pindeck::OpenOptions& open_options, bool json_out) {
  // Threads inherit the mask: blocked here, before the client starts any, these signals reach
  // only the waits below, which do the work outside any signal handler.
  const sigset_t signals = worker_signals();
  if (const int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0) {
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
  }
  JobTally tally;
  {
    auto client = pindeck::Client::open(data_dir, open_options);
    const auto subscription =
        client.subscribe([&tally](const pindeck::PersistenceEvent& event) { tally.count(event); });
    auto config = pindeck::PersistenceConfig::from_env();
    if (command.lease_seconds) config.lease = std::chrono::seconds(*command.lease_seconds);
    client.start_persistence(config);
    std::cerr << "pindeck worker: running on " << client.data_dir().string()
              << " (SIGUSR1 prints a health line; SIGTERM or SIGINT stops)\n";

    std::optional<std::chrono::steady_clock::time_point> next_report;
    const auto interval = std::chrono::seconds(command.interval_seconds.value_or(0));
    if (command.interval_seconds) next_report = std::chrono::steady_clock::now() + interval;
    for (;;) {
      const int signal = next_signal(signals, next_report);
      if (signal == SIGTERM || signal == SIGINT) {
        std::cerr << "pindeck worker: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
                  << ": claiming no more jobs; the jobs in flight finish first\n";
        break;
      }
      print_health(tally.counts(), json_out);
      if (signal == 0) next_report = *next_report + interval;
    }
    // Closing the client stops the claims, then waits until every job in flight has ended and
    // its outcome is committed.
  }
  std::cerr << "pindeck worker: stopped\n";
  return 0;
}

}  // namespace pindeck_cli
