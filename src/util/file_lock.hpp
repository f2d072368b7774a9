// SPDX-License-Identifier: Apache-2.0
// An exclusive advisory lock on a file (flock), held while the object lives: it keeps two runs of
// one piece of work apart, in one process or in several, and goes with the process if it dies.
#pragma once

#include <filesystem>
#include <optional>

namespace pindeck::util {

class FileLock {
 public:
  // Takes the lock on `path` (created if missing) without waiting; nullopt when another holder
  // has it. Throws Error(Errc::io) when the file cannot be opened.
  static std::optional<FileLock> try_lock(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pindeck::util
