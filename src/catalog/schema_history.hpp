// SPDX-License-Identifier: Apache-2.0
// A catalog schema's history as both backends keep it: numbered migrations, applied in order, and
// the errors of a catalog too new to open or a migration that fails. Each backend has its own
// list (migrations.cpp, postgres/schema.cpp) and stores its version its own way.
#pragma once

#include <functional>
#include <span>
#include <string_view>

namespace pindeck::catalog {

struct Migration {
  int version;               // the schema version once applied: 1, 2, 3, ...
  std::string_view summary;  // one line, for error messages
  std::string_view sql;
};

// Errc::database for a catalog (named as errors name it) whose schema version `current` is newer
// than the migrations of `all` know.
void require_known_schema(std::string_view catalog, int current, std::span<const Migration> all);

// Takes a schema from version `current` to `target` with the migrations of `all`, in order:
// `run_script` runs a migration's SQL, then `applied` is told its version. A failed migration's
// error names it (version and summary) after what went wrong.
void apply_migrations(std::span<const Migration> all, int current, int target,
                      const std::function<void(std::string_view sql)>& run_script,
                      const std::function<void(int version)>& applied);

}  // namespace pindeck::catalog
