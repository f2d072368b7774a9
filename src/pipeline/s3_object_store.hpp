// SPDX-License-Identifier: Apache-2.0
// The object store on a real S3-compatible server (RustFS in production), over the library's own
// SigV4 S3 client. Records persisted here get storageProvider=rustfs.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "pindeck/persistence.hpp"
#include "pipeline/object_store.hpp"

namespace pindeck::s3 {
class BodySource;
class Client;
struct Config;
}  // namespace pindeck::s3

namespace pindeck::pipeline {

class S3ObjectStore final : public ObjectStore {
 public:
  // Connects lazily (the first request connects, so nothing here needs the server); throws
  // Errc::invalid naming a bad setting. `create_bucket`: async_prepare creates the bucket when it
  // is missing (PersistenceConfig::create_bucket).
  S3ObjectStore(const S3Settings& settings, std::string bucket, bool create_bucket = false);
  ~S3ObjectStore() override;

  StorageProvider provider() const override { return StorageProvider::rustfs; }
  const std::string& bucket() const override { return bucket_; }
  // HeadBucket (then CreateBucket when it is missing and creating is allowed); callers that come
  // while a check is under way share its outcome. A missing bucket that may not be created, and
  // credentials the server refuses, are StoreConfigurationError naming what to change.
  void async_prepare(WriteDone done) override;
  void async_put_file(std::string_view key, const std::filesystem::path& file,
                      std::string_view content_type, WriteDone done) override;
  void async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                       std::string_view content_type, WriteDone done) override;
  std::optional<StoredObject> head(std::string_view key) override;
  // HeadObject or GetObject on the S3 client's event loop (as many at once as callers start).
  void async_read(std::string_view key, bool with_body, ReadDone done) override;
  bool read_to_file(std::string_view key, const std::filesystem::path& file) override;
  void remove(std::string_view key) override;
  // DeleteObjects in batches of 1000 keys.
  std::vector<RemoveFailure> remove_many(const std::vector<std::string>& keys) override;
  std::vector<std::string> list(std::string_view prefix) override;
  // <publicBaseUrl or endpoint>/<bucket>/<key>
  std::string public_url(std::string_view key) const override;

 private:
  void start_put(std::string_view key, s3::BodySource body, std::string_view content_type,
                 WriteDone done);
  // Called with bucket_mutex_ held; the checks complete on the client's thread.
  void start_bucket_check();
  void create_missing_bucket();
  void bucket_checked(std::exception_ptr failure);
  // `failure` as the pipeline should see it: refusals only the host's settings can fix become
  // StoreConfigurationError with a message saying what to change.
  std::exception_ptr explain(std::exception_ptr failure) const;

  std::string bucket_;
  std::string endpoint_;
  std::string access_key_;
  std::string public_base_url_;
  bool create_bucket_;

  enum class BucketState { unchecked, checking, ready };
  std::mutex bucket_mutex_;
  BucketState bucket_state_ = BucketState::unchecked;
  std::vector<WriteDone> bucket_waiters_;

  // Last: destroyed first, so no completion of its can run on a half-destroyed store.
  std::unique_ptr<s3::Client> client_;
};

// The S3 client's configuration for these settings and bucket; the client's own defaults for the
// rest (retries, timeouts, part sizes).
s3::Config s3_config_for(const S3Settings& settings, const std::string& bucket);

// s3_config_for with the pipeline's short client retries (the pipeline retries jobs itself,
// seconds apart).
s3::Config s3_client_config(const S3Settings& settings, const std::string& bucket);

}  // namespace pindeck::pipeline
