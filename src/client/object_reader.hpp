// SPDX-License-Identifier: Apache-2.0
// Reads objects back for Client::read_object: from the persistence engine's store when the engine
// runs, else from a store of its own that the environment names (PersistenceConfig::from_env(),
// made on first use), so reading never starts the workers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "client/persistence_engine.hpp"
#include "pipeline/object_store.hpp"

namespace pindeck::client {

class ObjectReader {
 public:
  ObjectReader(std::filesystem::path data_dir, PersistenceEngine& engine)
      : data_dir_(std::move(data_dir)), engine_(engine) {}

  // The object's bytes; Errc::not_found naming the key when the store has none.
  std::vector<std::byte> read(std::string_view key);

 private:
  pipeline::ObjectStore& store();

  std::filesystem::path data_dir_;
  PersistenceEngine& engine_;
  std::mutex mutex_;
  std::unique_ptr<pipeline::ObjectStore> own_;
};

}  // namespace pindeck::client
