// SPDX-License-Identifier: Apache-2.0
// The pindeck command's lineage and project-row subcommands (DESIGN §8):
//
//   pindeck lineage ID [--limit N] [--cursor C] [--json]
//       the record's parent, root, children (one page, newest first) and whole family (a tree)
//   pindeck project order NAME ID... [--json]
//       puts the records in that order in the project row (projectOrder 0, 1, ...)
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pindeck {
class Client;
}

namespace pindeck_cli {

struct LineageCommands {
  CLI::App* lineage = nullptr;
  std::string id;
  int limit = 50;  // children per page
  std::optional<std::string> cursor;

  CLI::App* project_order = nullptr;
  std::string project;
  std::vector<std::string> ids;
};

// Adds `lineage` and `project order` to `app`; their --json sets `json_out`.
void add_lineage_commands(CLI::App& app, LineageCommands& commands, bool& json_out);

// Runs whichever was chosen and returns its exit status, or nothing when neither was chosen.
// `palette_swatches` draws the children's palettes as on `list`.
std::optional<int> run_lineage_command(const LineageCommands& commands, pindeck::Client& client,
                                       bool json_out, bool palette_swatches);

}  // namespace pindeck_cli
