// SPDX-License-Identifier: Apache-2.0
// `pindeck worker`: runs only the background workers of a data directory (no ingest), as one of
// the many worker processes a shared PostgreSQL catalog may have (DESIGN §6, scale-out):
//
//   pindeck [--data-dir D] [--catalog URL] worker [--interval SECONDS] [--lease SECONDS] [--json]
//
// Persistence takes its settings from the environment (PersistenceConfig::from_env); --lease sets
// how long after its last renewal a job this worker claimed may be claimed by another, should this
// one die (PersistenceConfig::lease): short for tests, long enough for a busy host's renewals.
// SIGTERM or SIGINT stops it gracefully: no new claims, the jobs in flight finish and are
// committed, exit 0 (a second signal does not hurry that). It says on stderr once it runs; a
// signal sent before then, while the program starts, takes its default action.
// SIGUSR1, and every --interval seconds when given, prints a health line to stdout (with --json,
// one JSON object per line):
//
//   claimed   jobs this process started, counted at their first object stored (or their failure,
//             when they fail before storing any): the public events do not announce a claim
//   done      jobs that ended succeeded
//   failed    jobs that ended failed (given up; a retry to come is not a failure)
//   in flight claimed and not yet settled (including jobs waiting for a retry)
//
// The counts start at zero with the process and cover only its own workers.
#pragma once

#include <filesystem>
#include <optional>

#include "pindeck/client.hpp"

namespace CLI {
class App;
}

namespace pindeck_cli {

struct WorkerCommand {
  CLI::App* cmd = nullptr;
  std::optional<int> interval_seconds;
  std::optional<int> lease_seconds;
};

// Adds `worker` to `app`; its --json sets `json_out`.
void add_worker_command(CLI::App& app, WorkerCommand& command, bool& json_out);

// Opens the client itself: the signals it waits for must be blocked before the library starts
// any thread, so that none of them takes one. Returns 0 once stopped by SIGTERM or SIGINT; the
// library's errors propagate.
int run_worker(const WorkerCommand& command, const std::filesystem::path& data_dir,
               const pindeck::OpenOptions& open_options, bool json_out);

}  // namespace pindeck_cli
