// SPDX-License-Identifier: Apache-2.0
// The pindeck command's persistence subcommands:
//
//   pindeck upload FILE... [record options] [--create-bucket] [--wait] [--json]
//       stage and record each file at once; persisted in the background (the S3 server need not
//       be reachable: the records stay pending until it is)
//   pindeck backfill [--limit N] [--include-permanent] [--create-bucket] [--wait] [--json]
//       reschedule records not yet durable
//
// Persistence takes its settings from the environment (PersistenceConfig::from_env);
// --create-bucket also lets it create a missing S3 bucket (as PINDECK_S3_CREATE_BUCKET=1).
//
// The record options (--title --description --category --tags --group --project --project-order
// --moodboard --sref --source-url --parent) apply to every file of one upload.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "record_options.hpp"

namespace CLI {
class App;
}

namespace pindeck {
class Client;
}

namespace pindeck_cli {

struct PersistCommands {
  CLI::App* upload = nullptr;
  std::vector<std::string> files;
  RecordOptions record;
  bool upload_wait = false;

  CLI::App* backfill = nullptr;
  int limit = 50;
  bool include_permanent = false;
  bool backfill_wait = false;

  bool create_bucket = false;  // either command
};

// Adds `upload` and `backfill` to `app`; their --json sets `json_out`.
void add_persist_commands(CLI::App& app, PersistCommands& commands, bool& json_out);

// Runs whichever of the two was chosen and returns its exit status (0 when everything was
// accepted, and with --wait persisted; 1 otherwise), or nothing when neither was chosen.
std::optional<int> run_persist_command(const PersistCommands& commands, pindeck::Client& client,
                                       bool json_out);

}  // namespace pindeck_cli
