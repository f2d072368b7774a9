// SPDX-License-Identifier: Apache-2.0
// A read-only memory map of a whole file, so a staged image can be probed and decoded without
// copying it into the heap (pages are read on demand and can be dropped by the kernel).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace pindeck::staging {

class MappedFile {
 public:
  // Throws Errc::not_found / Errc::io naming the path. An empty file maps to an empty span.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }

 private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace pindeck::staging
