// SPDX-License-Identifier: Apache-2.0
// The bytes of an image file, for the media benchmarks.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace pindeck::bench {

// Throws std::runtime_error naming a file that cannot be opened.
inline std::vector<std::byte> read_original(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
  const auto* first = reinterpret_cast<const std::byte*>(raw.data());
  return {first, first + raw.size()};
}

}  // namespace pindeck::bench
