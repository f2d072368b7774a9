// SPDX-License-Identifier: Apache-2.0
#include "catalog/sqlite_catalog.hpp"

#include "catalog/migrations.hpp"

namespace pindeck::catalog {

std::unique_ptr<SqliteCatalog> SqliteCatalog::open(const std::filesystem::path& file) {
  auto db = Database::open(file);
  migrate(*db);
  return std::unique_ptr<SqliteCatalog>(new SqliteCatalog(std::move(db)));
}

template class SqlCatalog<SqliteBackend>;

}  // namespace pindeck::catalog
