#include "pipeline/client_persistence.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <istream>

#include "catalog/client_impl.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/s3_object_store.hpp"

namespace pindeck {

namespace pipeline {

ClientPersistence::ClientPersistence() = default;

// The engine stops (finishing running jobs) before the background threads are joined.
ClientPersistence::~ClientPersistence() {
  engine_.reset();
  if (background_) background_->join();
}

void ClientPersistence::start(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
                              const PersistenceConfig& config) {
  std::lock_guard lock(mutex_);
  if (engine_) throw Error(Errc::conflict, "persistence is already running for this client");
  auto store = make_object_store(config, data_dir);
  if (auto* s3 = dynamic_cast<S3ObjectStore*>(store.get())) s3->ensure_bucket();
  engine_ = std::make_unique<Persistence>(catalog, data_dir, std::move(store), config);
}

Persistence& ClientPersistence::get(catalog::Catalog& catalog,
                                    const std::filesystem::path& data_dir) {
  {
    std::lock_guard lock(mutex_);
    if (engine_) return *engine_;
  }
  try {
    start(catalog, data_dir, PersistenceConfig::from_env());
  } catch (const Error& e) {
    // Another thread started it in between: use that one.
    if (e.code() != Errc::conflict) throw;
  }
  std::lock_guard lock(mutex_);
  return *engine_;
}

void ClientPersistence::post(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (!background_) background_ = std::make_unique<boost::asio::thread_pool>(2);
  }
  boost::asio::post(*background_, std::move(work));
}

}  // namespace pipeline

namespace {

pipeline::Persistence& engine(Client::Impl& impl) {
  return impl.persistence.get(*impl.catalog, impl.data_dir);
}

}  // namespace

void Client::start_persistence(const PersistenceConfig& config) {
  impl().persistence.start(*impl().catalog, impl().data_dir, config);
}

Record Client::upload_file(const std::filesystem::path& path, const Record& metadata) {
  pipeline::UploadSource source;
  source.path = path;
  return engine(impl()).ingest(source, metadata);
}

Record Client::upload_bytes(std::span<const std::byte> bytes, const Record& metadata,
                            std::string_view file_name) {
  pipeline::UploadSource source;
  source.bytes = bytes;
  if (!file_name.empty()) source.file_name = std::string(file_name);
  return engine(impl()).ingest(source, metadata);
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
  return engine(impl()).ingest(source, metadata);
}

Record Client::wait_persisted(std::string_view id, std::chrono::milliseconds timeout) {
  return engine(impl()).wait_settled(id, timeout);
}

int Client::backfill(int limit) {
  return engine(impl()).backfill(limit);
}

void Client::post_background(std::function<void()> work) {
  impl().persistence.post(std::move(work));
}

}  // namespace pindeck
