// SPDX-License-Identifier: Apache-2.0
#include "client/object_reader.hpp"

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::client {

pipeline::ObjectStore& ObjectReader::store() {
  if (auto* engine = engine_.running()) return engine->object_store();
  std::lock_guard lock(mutex_);
  if (!own_) own_ = pipeline::make_object_store(PersistenceConfig::from_env(), data_dir_);
  return *own_;
}

std::vector<std::byte> ObjectReader::read(std::string_view key) {
  auto& from = store();
  auto bytes = from.read(key);
  if (!bytes) {
    std::string message = "no object ";
    message.append(key).append(" in bucket ").append(from.bucket());
    throw Error(Errc::not_found, message);
  }
  return std::move(*bytes);
}

}  // namespace pindeck::client
