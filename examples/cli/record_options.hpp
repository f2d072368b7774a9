// SPDX-License-Identifier: Apache-2.0
// The options that fill in an uploaded image's record (title, tags, project, ...), shared by
// every file of one `pindeck upload` call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pindeck/record.hpp"

namespace CLI {
class App;
}

namespace pindeck_cli {

struct RecordOptions {
  std::optional<std::string> title, description, category, group, project, moodboard, sref,
      source_url, parent, genre, style, shot, ai_status;
  std::optional<std::int64_t> project_order;
  std::vector<std::string> tags;
  std::vector<std::string> tag;  // --tag, once per tag; added to --tags
};

// Adds the options to `command` and checks their values as part of parsing: a value the record
// would refuse is a usage error naming the option (CLI::ValidationError), so nothing is uploaded.
void add_record_options(CLI::App& command, RecordOptions& options);

// The record metadata the options describe (the title stays the default when not given, so the
// library names each image after its file).
pindeck::Record metadata_from(const RecordOptions& options);

}  // namespace pindeck_cli
