// SPDX-License-Identifier: Apache-2.0
// Choosing the backend from a catalog location (catalog.hpp).
#include <string>
#include <system_error>

#include "catalog/catalog.hpp"
#include "catalog/postgres/postgres_catalog.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

constexpr std::string_view sqlite_scheme = "sqlite:";

bool is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace

std::unique_ptr<Catalog> open_catalog(const std::filesystem::path& file) {
  return SqliteCatalog::open(file);
}

std::unique_ptr<Catalog> open_catalog_at(std::string_view location) {
  if (const auto file = sqlite_location_file(location)) {
    if (file->empty()) throw Error(Errc::invalid, "catalog: sqlite: names no file");
    return SqliteCatalog::open(*file);
  }
  if (is_postgres_url(location)) return postgres::PostgresCatalog::open(std::string(location));
  const auto colon = location.find(':');
  if (location.empty() || colon == std::string_view::npos) {
    // Not echoed: a libpq key=value string (host=... password=...) lands here too.
    throw Error(Errc::invalid,
                "catalog: the location is neither sqlite:<path> nor a postgresql:// URL");
  }
  // Only the scheme: the rest of an unknown URL may hold a password.
  throw Error(Errc::invalid, "catalog: unknown kind '" + std::string(location.substr(0, colon)) +
                                 ":' (expected sqlite:<path> or a postgresql:// URL)");
}

std::string describe_catalog_location(std::string_view location) {
  if (!is_postgres_url(location)) return std::string(location);
  return postgres::describe_url(std::string(location));
}

std::optional<std::filesystem::path> sqlite_location_file(std::string_view location) {
  if (!location.starts_with(sqlite_scheme)) return std::nullopt;
  return std::filesystem::path(location.substr(sqlite_scheme.size()));
}

std::optional<std::string> catalog_identity(std::string_view location) {
  if (const auto file = sqlite_location_file(location)) {
    std::error_code ec;
    const auto resolved = std::filesystem::weakly_canonical(*file, ec);
    return std::string(sqlite_scheme).append((ec ? *file : resolved).string());
  }
  if (is_postgres_url(location)) return describe_catalog_location(location);
  return std::nullopt;
}

}  // namespace pindeck::catalog
