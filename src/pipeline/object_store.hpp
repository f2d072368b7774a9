// SPDX-License-Identifier: Apache-2.0
// Where persisted bytes end up: an object store with S3's bucket/key model. The pipeline writes
// through this interface so the embedded local store and a real S3 server are interchangeable.
//
// Writes are asynchronous: a worker hands the bytes over and goes on with CPU work while the store
// moves them (the S3 client on its event loop, the local store on its own I/O threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/error.hpp"
#include "pindeck/persistence.hpp"
#include "pindeck/record.hpp"

namespace pindeck::pipeline {

// A key a batch removal could not delete, and why.
struct RemoveFailure {
  std::string key;
  std::string reason;
};

// What a store knows of an object it holds.
struct StoredObject {
  std::uint64_t size = 0;
  std::string content_type;
};

class ObjectStore {
 public:
  // Runs once when a write has ended: with nothing when the object is durable and complete, with
  // the failure (a pindeck::Error, an s3::S3Error for a refusal by the server) otherwise. It runs
  // on one of the store's threads; it must not block.
  using WriteDone = std::function<void(std::exception_ptr)>;

  virtual ~ObjectStore() = default;

  // The record's storageProvider once its bytes are in this store.
  virtual StorageProvider provider() const = 0;
  virtual const std::string& bucket() const = 0;

  // Makes sure the store can take writes before a job's first upload: the S3 store checks that
  // its bucket exists (creating it only when the settings allow). Once that succeeded, later calls
  // complete at once (`done` may then run inline) until a write fails, which makes the next call
  // check again. A failure reaches `done` as a write failure does; the host's settings being wrong
  // is a StoreConfigurationError. Never called when persistence starts: uploads are accepted
  // whatever the store is doing (DESIGN §6.2).
  virtual void async_prepare(WriteDone done) = 0;

  // Writes (or overwrites) an object. Bad arguments (a key this library would never write) throw
  // at once; everything else is reported to `done`. The file must stay until `done` runs, and so
  // must the memory `bytes` points to.
  virtual void async_put_file(std::string_view key, const std::filesystem::path& file,
                              std::string_view content_type, WriteDone done) = 0;
  virtual void async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                               std::string_view content_type, WriteDone done) = 0;

  // Size and content type of an object, or nothing when there is none.
  virtual std::optional<StoredObject> head(std::string_view key) = 0;
  // The bytes of an object; Errc::not_found naming the key when there is none.
  virtual std::string read(std::string_view key) = 0;
  // Deletes an object; deleting one that is not there is not an error.
  virtual void remove(std::string_view key) = 0;
  // Deletes many objects (an S3 store sends DeleteObjects, 1000 keys a request) and returns those
  // it could not delete; throws when the store could not be asked at all.
  virtual std::vector<RemoveFailure> remove_many(const std::vector<std::string>& keys);
  // Every key that starts with `prefix`, sorted.
  virtual std::vector<std::string> list(std::string_view prefix) = 0;
  // The public URL of a key: <publicBaseUrl>/<bucket>/<key>.
  virtual std::string public_url(std::string_view key) const = 0;

  // Blocking forms of async_prepare and the writes (never call them from a store's own thread).
  void prepare();
  void put_file(std::string_view key, const std::filesystem::path& file,
                std::string_view content_type);
  void put_bytes(std::string_view key, std::span<const std::byte> bytes,
                 std::string_view content_type);

  bool exists(std::string_view key) { return head(key).has_value(); }
};

// A refusal that only the host can fix, by changing its settings: credentials the server refuses,
// a bucket that does not exist (and may not be created). Jobs that meet it end failed at once
// (FailureKind::configuration); a backfill after the fix retries them.
class StoreConfigurationError : public Error {
 public:
  explicit StoreConfigurationError(const std::string& message) : Error(Errc::s3, message) {}
};

// The store the configuration asks for: S3 when config.s3 is set, else the local store under
// <data_dir>/objects.
std::unique_ptr<ObjectStore> make_object_store(const PersistenceConfig& config,
                                               const std::filesystem::path& data_dir);

}  // namespace pindeck::pipeline
