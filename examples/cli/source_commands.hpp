// SPDX-License-Identifier: Apache-2.0
// The pindeck command's sources and moderation (DESIGN §7):
//
//   pindeck import URL... [record options] [--wait] [--json]
//       fetch each image and ingest it (a URL already imported gives the stored record)
//   pindeck import --discord MESSAGE.json [--owner ID] [--max-images N] [--wait] [--json]
//       the images of a Discord message (Discord's message JSON), as Pindeck's bot picks them
//   pindeck import --pinterest-feed FEED.xml|URL [--board B] [--wait] [--json]
//       every pin of a Pinterest board's RSS feed
//   pindeck import --pindeck-export DIR|ZIP [--dry-run] [--wait] [--json]
//       a Pindeck library's Convex export (its images table), each image fetched again
//   pindeck variation PARENT_ID FILE|URL [--artifact-key K] [--json]
//       register a generated image as a variation of PARENT_ID
//   pindeck approve ID... [--json]      moderation: pending records become draft or active
//   pindeck reject ID... [--json]       moderation: the records are deleted
//
// Every command that fetches takes --allow-private-network, the only way past the address rules
// (loopback, private networks, cloud metadata, ...).
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

struct SourceCommands {
  CLI::App* import = nullptr;
  std::vector<std::string> urls;
  RecordOptions record;
  std::optional<std::string> discord_file;
  std::string owner;
  int max_images = 1;
  std::optional<std::string> pinterest_feed;
  std::string board;
  std::optional<std::string> pindeck_export;
  bool dry_run = false;
  bool wait = false;

  CLI::App* variation = nullptr;
  std::string parent_id;
  std::string image;
  std::optional<std::string> artifact_key;

  CLI::App* approve = nullptr;
  CLI::App* reject = nullptr;
  std::vector<std::string> ids;

  bool allow_private_network = false;
};

// Adds `import`, `variation`, `approve` and `reject` to `app`; their --json sets `json_out`.
void add_source_commands(CLI::App& app, SourceCommands& commands, bool& json_out);

// Runs whichever was chosen and returns its exit status (1 when an image failed), or nothing when
// none was chosen.
std::optional<int> run_source_command(const SourceCommands& commands, pindeck::Client& client,
                                      bool json_out);

}  // namespace pindeck_cli
