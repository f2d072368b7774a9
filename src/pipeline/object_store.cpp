// SPDX-License-Identifier: Apache-2.0
#include "pipeline/object_store.hpp"

#include <future>

#include "pindeck/error.hpp"
#include "pipeline/local_object_store.hpp"
#include "pipeline/s3_object_store.hpp"

namespace pindeck::pipeline {

namespace {

// Waits for an asynchronous write and rethrows its failure.
template <typename Start>
void wait_for_write(Start&& start) {
  std::promise<void> written;
  auto result = written.get_future();
  start([&written](std::exception_ptr failure) {
    if (failure) {
      written.set_exception(failure);
    } else {
      written.set_value();
    }
  });
  result.get();
}

}  // namespace

void ObjectStore::prepare() {
  wait_for_write([&](WriteDone done) { async_prepare(std::move(done)); });
}

void ObjectStore::put_file(std::string_view key, const std::filesystem::path& file,
                           std::string_view content_type) {
  wait_for_write([&](WriteDone done) { async_put_file(key, file, content_type, std::move(done)); });
}

void ObjectStore::put_bytes(std::string_view key, std::span<const std::byte> bytes,
                            std::string_view content_type) {
  wait_for_write(
      [&](WriteDone done) { async_put_bytes(key, bytes, content_type, std::move(done)); });
}

std::optional<std::vector<std::byte>> ObjectStore::read(std::string_view key) {
  std::promise<std::optional<ReadObject>> read;
  auto result = read.get_future();
  async_read(key, /*with_body=*/true,
             [&read](std::exception_ptr failure, std::optional<ReadObject> object) {
               if (failure) {
                 read.set_exception(failure);
               } else {
                 read.set_value(std::move(object));
               }
             });
  auto object = result.get();
  if (!object) return std::nullopt;
  const auto* first = reinterpret_cast<const std::byte*>(object->bytes.data());
  return std::vector<std::byte>(first, first + object->bytes.size());
}

std::vector<RemoveFailure> ObjectStore::remove_many(const std::vector<std::string>& keys) {
  std::vector<RemoveFailure> failed;
  for (const auto& key : keys) {
    try {
      remove(key);
    } catch (const Error& e) {
      failed.push_back({key, e.what()});
    }
  }
  return failed;
}

std::unique_ptr<ObjectStore> make_object_store(const PersistenceConfig& config,
                                               const std::filesystem::path& data_dir) {
  if (config.s3) {
    return std::make_unique<S3ObjectStore>(*config.s3, config.bucket, config.create_bucket);
  }
  return std::make_unique<LocalObjectStore>(data_dir / "objects", config.bucket);
}

}  // namespace pindeck::pipeline
