// SPDX-License-Identifier: Apache-2.0
// A file read from start to end with read(2), as staging and the local object store copy files.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace pindeck::util {

class InputFile {
 public:
  // Throws errno_error("cannot open", path): Errc::not_found when there is no such file; and
  // Errc::invalid naming the path and its kind for anything but a regular file (a FIFO, a
  // directory, a device, a socket), without blocking on it.
  explicit InputFile(std::filesystem::path path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Up to buffer.size() bytes from where the last read ended; 0 at the end of the file. A read
  // interrupted by a signal is retried; any other failure throws errno_error naming the path.
  std::size_t read_some(std::span<std::byte> buffer);

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  int fd_;
};

}  // namespace pindeck::util
