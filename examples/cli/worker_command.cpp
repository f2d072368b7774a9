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
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "pindeck/persistence.hpp"

namespace pindeck_cli {

namespace {

void print_health(const pindeck::WorkerCounts& counts, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"claimed", counts.claimed},   {"succeeded", counts.succeeded},
                                {"retried", counts.retried},   {"failed", counts.failed},
                                {"released", counts.released}, {"inFlight", counts.in_flight}}
                     .dump();
  } else {
    std::cout << "pindeck worker: claimed " << counts.claimed << ", succeeded " << counts.succeeded
              << ", retried " << counts.retried << ", failed " << counts.failed << ", released "
              << counts.released << ", in flight " << counts.in_flight;
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
                        "print each health line as pd_worker_counts gives it: {\"claimed\", "
                        "\"succeeded\", \"retried\", \"failed\", \"released\", \"inFlight\"}");
}

int run_worker(const WorkerCommand& command, const std::filesystem::path& data_dir,
               const pindeck::OpenOptions& open_options, bool json_out) {
  // Threads inherit the mask: blocked here, before the client starts any, these signals reach
  // only the waits below, which do the work outside any signal handler.
  const sigset_t signals = worker_signals();
  if (const int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0) {
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
  }
  {
    auto client = pindeck::Client::open(data_dir, open_options);
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
      print_health(client.worker_counts(), json_out);
      if (signal == 0) next_report = *next_report + interval;
    }
    // Closing the client stops the claims, then waits until every job in flight has ended and
    // its outcome is committed.
  }
  std::cerr << "pindeck worker: stopped\n";
  return 0;
}

}  // namespace pindeck_cli
