// SPDX-License-Identifier: Apache-2.0
#include "util/env.hpp"

#include <cstdlib>

namespace pindeck::util {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::optional<std::string> first_env(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = env(name)) return value;
  }
  return std::nullopt;
}

}  // namespace pindeck::util
