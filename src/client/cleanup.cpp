// SPDX-License-Identifier: Apache-2.0
#include "client/cleanup.hpp"

#include "pindeck/error.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/persistence_config.hpp"
#include "staging/store.hpp"

namespace pindeck::client {

// A deleter for a client whose persistence engine is not running.
struct Cleanup::OwnDeleter {
  OwnDeleter(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
             const PersistenceConfig& config)
      : store(pipeline::make_object_store(config, data_dir)),
        staging(pipeline::staging_directory(config, data_dir), config.max_upload_bytes),
        jobs(catalog.delete_jobs(pipeline::make_lease_owner(), config.lease)),
        deleter(*jobs, *store, staging) {}

  std::unique_ptr<pipeline::ObjectStore> store;
  staging::Store staging;
  std::unique_ptr<catalog::DeleteJobs> jobs;
  pipeline::Deleter deleter;
};

Cleanup::Cleanup(catalog::Catalog& catalog, std::filesystem::path data_dir,
                 PersistenceEngine& engine)
    : catalog_(catalog), data_dir_(std::move(data_dir)), engine_(engine) {}

Cleanup::~Cleanup() = default;

std::size_t Cleanup::run_due(const std::vector<std::string>& record_ids) {
  catalog::DeleteJobs* jobs = nullptr;
  if (auto* engine = engine_.running()) {
    engine->deleter().run_due();
    jobs = &engine->delete_jobs();
  } else {
    std::lock_guard lock(mutex_);
    if (!own_ && !own_failure_) {
      try {
        own_ = std::make_unique<OwnDeleter>(catalog_, data_dir_, PersistenceConfig::from_env());
      } catch (const Error& e) {
        own_failure_ = e.what();
      }
    }
    if (!own_) {
      // The jobs stay queued for an engine that can reach their store.
      auto counter = catalog_.delete_jobs(pipeline::make_lease_owner(), std::chrono::seconds(1));
      return static_cast<std::size_t>(counter->count(record_ids));
    }
    own_->deleter.run_due();
    jobs = own_->jobs.get();
  }
  return static_cast<std::size_t>(jobs->count(record_ids));
}

}  // namespace pindeck::client
