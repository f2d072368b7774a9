// SPDX-License-Identifier: Apache-2.0
// A client's persistence engine, started on first use (an upload, a backfill, a wait) with the
// settings from the environment unless the host started it with its own.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "catalog/catalog.hpp"
#include "pindeck/persistence.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/persistence_events.hpp"

namespace pindeck::client {

class PersistenceEngine {
 public:
  // `events` (which must outlive this) hears what the engine's workers do.
  PersistenceEngine(catalog::Catalog& catalog, std::filesystem::path data_dir,
                    pipeline::PersistenceEvents& events)
      : catalog_(catalog), data_dir_(std::move(data_dir)), events_(events) {}

  // Makes the object store (no network: the workers reach it) and starts the engine with
  // `config`; Errc::conflict when it already runs, Errc::invalid naming a bad setting.
  void start(const PersistenceConfig& config);
  // The engine, started with PersistenceConfig::from_env() when not yet running.
  pipeline::Persistence& get();
  // The engine if it runs, else nothing (never starts it).
  pipeline::Persistence* running();
  // Completes the engine's waits with Errc::closed and stops its workers (running jobs finish).
  void close();

 private:
  catalog::Catalog& catalog_;
  std::filesystem::path data_dir_;
  pipeline::PersistenceEvents& events_;
  std::mutex mutex_;
  std::unique_ptr<pipeline::Persistence> engine_;
};

}  // namespace pindeck::client
