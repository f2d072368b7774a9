// SPDX-License-Identifier: Apache-2.0
// A whole file as bytes in a string ("" when it cannot be read), for comparing with what a test
// wrote or uploaded.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace pindeck::test {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace pindeck::test
