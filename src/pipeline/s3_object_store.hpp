// SPDX-License-Identifier: Apache-2.0
// The object store on a real S3-compatible server (RustFS in production), over the library's own
// SigV4 S3 client. Records persisted here get storageProvider=rustfs.
#pragma once

#include <memory>

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
  // Connects lazily (the first request connects); throws Errc::invalid naming a bad setting.
  S3ObjectStore(const S3Settings& settings, std::string bucket);
  ~S3ObjectStore() override;

  StorageProvider provider() const override { return StorageProvider::rustfs; }
  const std::string& bucket() const override { return bucket_; }
  // Creates the bucket when it does not exist yet.
  void prepare() override;
  void async_put_file(std::string_view key, const std::filesystem::path& file,
                      std::string_view content_type, WriteDone done) override;
  void async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                       std::string_view content_type, WriteDone done) override;
  std::optional<StoredObject> head(std::string_view key) override;
  void remove(std::string_view key) override;
  // DeleteObjects in batches of 1000 keys.
  std::vector<RemoveFailure> remove_many(const std::vector<std::string>& keys) override;
  std::vector<std::string> list(std::string_view prefix) override;
  // <publicBaseUrl or endpoint>/<bucket>/<key>
  std::string public_url(std::string_view key) const override;

 private:
  void start_put(std::string_view key, s3::BodySource body, std::string_view content_type,
                 WriteDone done);

  std::string bucket_;
  std::string public_base_url_;
  std::unique_ptr<s3::Client> client_;
};

// The S3 client's configuration for these settings and bucket, with the pipeline's short client
// retries (the pipeline retries jobs itself, seconds apart).
s3::Config s3_client_config(const S3Settings& settings, const std::string& bucket);

}  // namespace pindeck::pipeline
