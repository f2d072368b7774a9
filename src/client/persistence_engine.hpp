// What a pindeck::Client holds for persistence: the engine (started on first use) and the threads
// that run the asynchronous API's blocking work. A member of Client::Impl, declared after the
// catalog so it stops before the catalog closes.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "pindeck/persistence.hpp"

namespace boost::asio {
class thread_pool;
}
namespace pindeck::catalog {
class Catalog;
}

namespace pindeck::pipeline {

class Persistence;

class ClientPersistence {
 public:
  ClientPersistence();
  ~ClientPersistence();

  // Starts the engine with `config`; Errc::conflict when it already runs.
  void start(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
             const PersistenceConfig& config);
  // The engine, started with PersistenceConfig::from_env() when not yet running.
  Persistence& get(catalog::Catalog& catalog, const std::filesystem::path& data_dir);
  // Runs `work` on a background thread.
  void post(std::function<void()> work);

 private:
  std::mutex mutex_;
  std::unique_ptr<boost::asio::thread_pool> background_;
  std::unique_ptr<Persistence> engine_;
};

}  // namespace pindeck::pipeline
