// SPDX-License-Identifier: Apache-2.0
// The pindeck command's persistence subcommands:
//
//   pindeck upload FILE... [record options] [--wait] [--json]
//       stage and record each file at once; persisted in the background
//   pindeck backfill [--limit N] [--wait] [--json]
//       reschedule uploads not yet durable
//
// The record options (--title --description --category --tags --group --project --project-order
// --moodboard --sref --source-url) apply to every file of one upload.
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
  bool backfill_wait = false;
};

// Adds `upload` and `backfill` to `app`; their --json sets `json_out`.
void add_persist_commands(CLI::App& app, PersistCommands& commands, bool& json_out);

// Runs whichever of the two was chosen and returns its exit status (0 when everything was
// accepted, and with --wait persisted; 1 otherwise), or nothing when neither was chosen.
std::optional<int> run_persist_command(const PersistCommands& commands, pindeck::Client& client,
                                       bool json_out);

}  // namespace pindeck_cli
