// Where persisted bytes end up: an object store with S3's bucket/key model. The pipeline writes
// through this interface so the embedded local store and a real S3 server are interchangeable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pindeck::pipeline {

struct ObjectInfo {
  std::uint64_t size = 0;
  std::string content_type;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The record's storageProvider once its bytes are in this store ("local" or "rustfs").
  virtual std::string_view provider() const = 0;
  virtual const std::string& bucket() const = 0;

  // Writes (or overwrites) an object; when this returns, the object is durable and complete.
  virtual void put_file(std::string_view key, const std::filesystem::path& file,
                        std::string_view content_type) = 0;
  virtual void put_bytes(std::string_view key, std::span<const std::byte> bytes,
                         std::string_view content_type) = 0;
  // Size and content type of an object, or nothing when there is none.
  virtual std::optional<ObjectInfo> head(std::string_view key) = 0;
  // Deletes an object; deleting one that is not there is not an error.
  virtual void remove(std::string_view key) = 0;
  // Every key that starts with `prefix`, sorted.
  virtual std::vector<std::string> list(std::string_view prefix) = 0;
  // The public URL of a key: <publicBaseUrl>/<bucket>/<key>.
  virtual std::string public_url(std::string_view key) const = 0;

  bool exists(std::string_view key) { return head(key).has_value(); }
};

}  // namespace pindeck::pipeline
