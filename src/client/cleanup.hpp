// SPDX-License-Identifier: Apache-2.0
// Carries out the deletions a client queued (DESIGN §6.8) right after it queued them: with the
// persistence engine's deleter when the engine runs, else with a deleter of its own on the store
// the environment names (PersistenceConfig::from_env(), made on first use). What cannot be done
// now stays queued in the catalog for the next run or the engine's deleter.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "client/persistence_engine.hpp"
#include "pipeline/deleter.hpp"

namespace pindeck::client {

class Cleanup {
 public:
  Cleanup(catalog::Catalog& catalog, std::filesystem::path data_dir, PersistenceEngine& engine);
  ~Cleanup();
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;

  // Runs the due delete jobs now (a store that cannot be reached leaves them queued; so does a
  // store that the settings cannot make). Returns how many jobs are still queued for
  // `record_ids` (for every record when empty).
  std::size_t run_due(const std::vector<std::string>& record_ids);

 private:
  struct OwnDeleter;

  catalog::Catalog& catalog_;
  std::filesystem::path data_dir_;
  PersistenceEngine& engine_;
  std::mutex mutex_;
  std::unique_ptr<OwnDeleter> own_;
  std::optional<std::string> own_failure_;  // why no deleter of its own could be made
};

}  // namespace pindeck::client
