// SPDX-License-Identifier: Apache-2.0
#include "catalog/schema_history.hpp"

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

void require_known_schema(std::string_view catalog, int current, std::span<const Migration> all) {
  const int latest = all.back().version;
  if (current > latest) {
    throw Error(Errc::database, "catalog " + std::string(catalog) + " has schema version " +
                                    std::to_string(current) + ", newer than this library knows (" +
                                    std::to_string(latest) + "): use a newer libpindeck");
  }
}

void apply_migrations(std::span<const Migration> all, int current, int target,
                      const std::function<void(std::string_view sql)>& run_script,
                      const std::function<void(int version)>& applied) {
  for (const Migration& m : all) {
    if (m.version <= current || m.version > target) continue;
    try {
      run_script(m.sql);
    } catch (const Error& e) {
      throw Error(e.code(), "migration to schema version " + std::to_string(m.version) + " (" +
                                std::string(m.summary) + ") failed: " + e.what());
    }
    applied(m.version);
  }
}

}  // namespace pindeck::catalog
