// SPDX-License-Identifier: Apache-2.0
// Client's persistence calls (DESIGN §6) and what the asynchronous forms in pindeck/async.hpp
// reach through detail::ClientAccess.
#include <chrono>
#include <istream>

#include "client/client_impl.hpp"
#include "pindeck/async.hpp"
#include "pindeck/error.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/palette_resample.hpp"
#include "pipeline/persistence_config.hpp"

namespace pindeck {

namespace client {

void PersistenceEngine::start(const PersistenceConfig& config) {
  pipeline::validate_persistence_config(config);
  std::lock_guard lock(mutex_);
  if (engine_) throw Error(Errc::conflict, "persistence is already running for this client");
  // Local only: the settings are checked, the store is reached by the workers (DESIGN §6.2).
  auto store = pipeline::make_object_store(config, data_dir_);
  engine_ = std::make_unique<pipeline::Persistence>(catalog_, data_dir_, std::move(store), config,
                                                    true, &events_);
}

pipeline::Persistence& PersistenceEngine::get() {
  {
    std::lock_guard lock(mutex_);
    if (engine_) return *engine_;
  }
  try {
    start(PersistenceConfig::from_env());
  } catch (const Error& e) {
    // Another thread started it in between: use that one.
    if (e.code() != Errc::conflict) throw;
  }
  std::lock_guard lock(mutex_);
  return *engine_;
}

pipeline::Persistence* PersistenceEngine::running() {
  std::lock_guard lock(mutex_);
  return engine_.get();
}

void PersistenceEngine::close() {
  std::lock_guard lock(mutex_);
  if (engine_) engine_->close();
}

}  // namespace client

void Client::start_persistence(const PersistenceConfig& config) {
  impl_->persistence.start(config);
}

Record Client::resample_palette(std::string_view id) {
  auto& engine = impl_->persistence.get();
  return pipeline::resample_palette(*impl_->catalog, engine.staging_store(), engine.object_store(),
                                    id);
}

Record Client::upload_file(const std::filesystem::path& path, const Record& metadata) {
  pipeline::UploadSource source;
  source.path = path;
  return impl_->persistence.get().ingest(source, metadata);
}

Record Client::upload_bytes(std::span<const std::byte> bytes, const Record& metadata,
                            std::string_view file_name) {
  pipeline::UploadSource source;
  source.bytes = bytes;
  if (!file_name.empty()) source.file_name = std::string(file_name);
  return impl_->persistence.get().ingest(source, metadata);
}

Record Client::upload_stream(std::istream& in, const Record& metadata, std::string_view file_name) {
  return upload_reader(
      [&in](std::byte* out, std::size_t capacity) -> std::size_t {
        in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(capacity));
        if (in.bad()) throw Error(Errc::io, "reading the upload stream failed");
        return static_cast<std::size_t>(in.gcount());
      },
      metadata, file_name);
}

Record Client::upload_reader(const ReadChunk& read, const Record& metadata,
                             std::string_view file_name) {
  pipeline::UploadSource source;
  source.reader = read;
  if (!file_name.empty()) source.file_name = std::string(file_name);
  return impl_->persistence.get().ingest(source, metadata);
}

Record Client::wait_persisted(std::string_view id, std::chrono::milliseconds timeout) {
  return impl_->persistence.get().wait_settled(id, timeout);
}

int Client::backfill(int limit) {
  return backfill(BackfillOptions{limit});
}

int Client::backfill(const BackfillOptions& options) {
  return impl_->persistence.get().backfill(options.limit, options.include_permanent);
}

QueueCounts Client::queue_counts() const {
  // Counting needs no owner nor lease of its own: it never claims.
  const auto counts =
      impl_->catalog->persist_jobs("queue-counts", std::chrono::seconds(1))->counts();
  return {counts.queued, counts.leased, counts.retry_later, counts.failed, counts.queued_by_site};
}

WorkerCounts Client::worker_counts() const {
  const auto* engine = impl_->persistence.running();
  return engine != nullptr ? engine->worker_counts() : WorkerCounts{};
}

std::vector<std::byte> Client::read_object(std::string_view key) {
  return impl_->objects.read(key);
}

namespace detail {

void ClientAccess::post(Client& client, std::function<void(bool client_open)> work) {
  client.impl_->background.post(std::move(work));
}

void ClientAccess::wait_persisted(Client& client, std::string id, std::chrono::milliseconds timeout,
                                  std::function<void(std::exception_ptr, Record)> done) {
  pipeline::Persistence* engine = nullptr;
  try {
    engine = &client.impl_->persistence.get();
  } catch (...) {
    done(std::current_exception(), Record{});
    return;
  }
  engine->async_wait_settled(std::move(id), timeout, std::move(done));
}

}  // namespace detail

}  // namespace pindeck
