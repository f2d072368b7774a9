// SPDX-License-Identifier: Apache-2.0
// The embedded default object store: a directory tree <root>/<bucket>/<key>, written atomically
// (temporary file, fsync, rename, directory fsync), so Pindeck works with nothing else running.
// Content types are kept beside the data in <root>/.meta/<bucket>/<key> (a bucket name cannot
// start with '.', so the two never clash). Writes run on two I/O threads of the store's own, so
// the fsyncs never hold a worker's CPU thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "pipeline/object_store.hpp"

namespace pindeck::pipeline {

class LocalObjectStore final : public ObjectStore {
 public:
  // `root` is usually <data_dir>/objects; it and the bucket directory are created when missing.
  LocalObjectStore(std::filesystem::path root, std::string bucket);

  // Waits for writes in progress.
  ~LocalObjectStore() override;

  StorageProvider provider() const override { return StorageProvider::local; }
  const std::string& bucket() const override { return bucket_; }
  // Ready at once: the constructor made the bucket directory (a local bucket is always created).
  void async_prepare(WriteDone done) override { done(nullptr); }
  void async_put_file(std::string_view key, const std::filesystem::path& file,
                      std::string_view content_type, WriteDone done) override;
  void async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                       std::string_view content_type, WriteDone done) override;
  std::optional<StoredObject> head(std::string_view key) override;
  std::string read(std::string_view key) override;
  void remove(std::string_view key) override;
  std::vector<std::string> list(std::string_view prefix) override;
  // file://<absolute root>/<bucket>/<key>
  std::string public_url(std::string_view key) const override;

  // Where the bytes of `key` are on disk.
  std::filesystem::path path_of(std::string_view key) const;

 private:
  template <typename WriteBody>
  void write_object(std::string_view key, std::string_view content_type, WriteBody&& body);
  void write_file(std::string_view key, const std::filesystem::path& file,
                  std::string_view content_type);
  // Runs `write` on the I/O threads and reports its outcome to `done`.
  void start_write(std::function<void()> write, WriteDone done);

  std::filesystem::path root_;
  std::string bucket_;
  boost::asio::thread_pool io_{2};
};

}  // namespace pindeck::pipeline
