// SPDX-License-Identifier: Apache-2.0
// What a pindeck::Client owns. Parts that extend the client (sources) add their members here.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "catalog/catalog.hpp"
#include "client/background.hpp"
#include "client/cleanup.hpp"
#include "client/object_reader.hpp"
#include "client/persistence_engine.hpp"
#include "pindeck/client.hpp"
#include "pipeline/persistence_events.hpp"
#include "sources/fetcher.hpp"

namespace pindeck {

struct Client::Impl {
  Impl(std::filesystem::path dir, std::unique_ptr<catalog::Catalog> opened)
      : data_dir(std::move(dir)),
        catalog(std::move(opened)),
        events(std::make_shared<pipeline::PersistenceEvents>()),
        persistence(*catalog, data_dir, *events),
        cleanup(*catalog, data_dir, persistence),
        objects(data_dir, persistence) {}

  // Subscriptions end first, so no handler sees a client half closed. Operations in flight
  // complete with Errc::closed (waits, work not yet started) or finish (work already running)
  // before anything they use is destroyed.
  ~Impl() {
    events->close();
    persistence.close();
    background.close();
  }

  std::filesystem::path data_dir;
  std::unique_ptr<catalog::Catalog> catalog;
  // Shared with the Subscriptions, which may outlive the client.
  std::shared_ptr<pipeline::PersistenceEvents> events;
  client::PersistenceEngine persistence;
  client::Cleanup cleanup;
  client::ObjectReader objects;
  client::Background background;

  // Client::set_fetch_settings; read by every source that fetches.
  sources::FetchOptions fetch_options() const {
    std::lock_guard lock(fetch_mutex);
    return fetch;
  }
  mutable std::mutex fetch_mutex;
  sources::FetchOptions fetch;
};

// The catalog file inside a data directory.
inline constexpr const char* catalog_file_name = "catalog.sqlite";

}  // namespace pindeck
