// The embedded default object store: a directory tree <root>/<bucket>/<key>, written atomically
// (temporary file, fsync, rename, directory fsync), so Pindeck works with nothing else running.
// Content types are kept beside the data in <root>/.meta/<bucket>/<key> (a bucket name cannot
// start with '.', so the two never clash).
#pragma once

#include "pipeline/object_store.hpp"

namespace pindeck::pipeline {

class LocalObjectStore final : public ObjectStore {
 public:
  // `root` is usually <data_dir>/objects; it and the bucket directory are created when missing.
  LocalObjectStore(std::filesystem::path root, std::string bucket);

  std::string_view provider() const override { return "local"; }
  const std::string& bucket() const override { return bucket_; }
  void put_file(std::string_view key, const std::filesystem::path& file,
                std::string_view content_type) override;
  void put_bytes(std::string_view key, std::span<const std::byte> bytes,
                 std::string_view content_type) override;
  std::optional<ObjectInfo> head(std::string_view key) override;
  void remove(std::string_view key) override;
  std::vector<std::string> list(std::string_view prefix) override;
  // file://<absolute root>/<bucket>/<key>
  std::string public_url(std::string_view key) const override;

  // Where the bytes of `key` are on disk.
  std::filesystem::path path_of(std::string_view key) const;

 private:
  template <typename WriteBody>
  void write_object(std::string_view key, std::string_view content_type, WriteBody&& body);

  std::filesystem::path root_;
  std::string bucket_;
};

}  // namespace pindeck::pipeline
