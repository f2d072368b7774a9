// SPDX-License-Identifier: Apache-2.0
// The catalog a test runs against: a SQLite file in the test's TempDir, or, when ctest runs the
// suite on PostgreSQL (PINDECK_TEST_CATALOG=postgresql, see pindeck_add_gtest's BOTH_CATALOGS), a
// database of the test PostgreSQL server named after that file, so that opening the same path
// again opens the same catalog. Records for jobs to point at.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "catalog/postgres/postgres_catalog.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "pg_test_env.hpp"
#include "temp_dir.hpp"

namespace pindeck::test {

inline bool testing_postgres() {
  const char* backend = std::getenv("PINDECK_TEST_CATALOG");
  return backend != nullptr && std::string_view(backend) == "postgresql";
}

// The location Client and the CLI take for the catalog `file` stands for (catalog.hpp).
inline std::string catalog_location(const std::filesystem::path& file) {
  if (testing_postgres()) return pg_database_for(file);
  return "sqlite:" + file.string();
}

inline std::unique_ptr<catalog::Catalog> open_catalog(const std::filesystem::path& file) {
  if (testing_postgres()) return catalog::postgres::PostgresCatalog::open(pg_database_for(file));
  return catalog::SqliteCatalog::open(file);
}

// The catalog a Client opened on `data_dir` uses: PINDECK_CATALOG_URL's when set (a run on
// PostgreSQL sets it per test), else the data directory's SQLite file.
inline std::unique_ptr<catalog::Catalog> client_catalog(const std::filesystem::path& data_dir) {
  if (const char* url = std::getenv("PINDECK_CATALOG_URL"); url != nullptr && *url != '\0') {
    return catalog::open_catalog_at(url);
  }
  return catalog::SqliteCatalog::open(data_dir / "catalog.sqlite");
}

// Inserts a minimal record and returns its id.
inline std::string make_record(catalog::Catalog& catalog, const std::string& title) {
  Record record;
  record.title = title;
  return catalog.insert(record).record.id;
}

}  // namespace pindeck::test
