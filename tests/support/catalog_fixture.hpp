// SPDX-License-Identifier: Apache-2.0
// A real catalog file (in a test's TempDir) and records for jobs to point at.
#pragma once

#include <memory>
#include <string>

#include "catalog/job_queue.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "temp_dir.hpp"

namespace pindeck::test {

inline std::unique_ptr<catalog::SqliteCatalog> open_catalog(const std::filesystem::path& file) {
  return catalog::SqliteCatalog::open(file);
}

// Inserts a minimal record and returns its id.
inline std::string make_record(catalog::Catalog& catalog, const std::string& title) {
  Record record;
  record.title = title;
  return catalog.insert(record).record.id;
}

}  // namespace pindeck::test
