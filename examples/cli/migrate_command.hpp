// SPDX-License-Identifier: Apache-2.0
// `pindeck migrate`: copies a whole catalog between locations, SQLite to PostgreSQL when a
// library outgrows one host, and back (pindeck/migrate.hpp):
//
//   pindeck migrate --from LOCATION --to LOCATION [--batch N] [--json]
//
// It opens no data directory: the two locations are all it works on. Run again, it copies only
// what is missing, so a copy that was stopped finishes. Prints
// "copied N records (M skipped), J jobs, D deletions", or with --json {"recordsCopied",
// "recordsSkipped", "jobsCopied", "deleteJobsCopied"}.
#pragma once

#include <string>

#include "pindeck/migrate.hpp"

namespace CLI {
class App;
}

namespace pindeck_cli {

struct MigrateCommand {
  CLI::App* cmd = nullptr;
  std::string from;
  std::string to;
  pindeck::MigrateOptions options;
};

// Adds `migrate` to `app`; its --json sets `json_out`.
void add_migrate_command(CLI::App& app, MigrateCommand& command, bool& json_out);

// Copies the catalog and prints what was copied; returns the exit status. The library's errors
// propagate.
int run_migrate(const MigrateCommand& command, bool json_out);

}  // namespace pindeck_cli
