// What a pindeck::Client owns. The library's parts that extend the client (persistence, sources)
// add their members here.
#pragma once

#include <filesystem>
#include <memory>

#include "catalog/catalog.hpp"
#include "pindeck/client.hpp"
#include "pipeline/client_persistence.hpp"

namespace pindeck {

struct Client::Impl {
  std::filesystem::path data_dir;
  std::unique_ptr<catalog::Catalog> catalog;
  // After the catalog, so the persistence workers stop before the catalog closes.
  pipeline::ClientPersistence persistence;
};

// The catalog file inside a data directory.
inline constexpr const char* catalog_file_name = "catalog.sqlite";

}  // namespace pindeck
