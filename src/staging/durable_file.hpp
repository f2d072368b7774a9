// SPDX-License-Identifier: Apache-2.0
// Writing a file so that it is either entirely there after a crash or not there at all:
// write to a temporary name in the target directory, fsync, rename over the target, fsync the
// directory. Shared by the first-stage store and the local object store.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace pindeck::staging {

// Temporary files are named "<temp_prefix>..." so a sweep can recognise leftovers of a crash.
inline constexpr std::string_view temp_prefix = ".tmp-";

class DurableFileWriter {
 public:
  // Opens a new temporary file in `directory` (which must exist).
  explicit DurableFileWriter(const std::filesystem::path& directory);
  // Removes the temporary file unless commit() succeeded.
  ~DurableFileWriter();
  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;

  // A full disk throws Error(Errc::io) saying "the disk is full" and naming the directory.
  void write(std::span<const std::byte> bytes);
  // fsyncs the data, renames the file to `target` (same directory; replaces an existing file)
  // and fsyncs the directory.
  void commit(const std::filesystem::path& target);

 private:
  std::filesystem::path directory_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// fsyncs a directory so that a rename or unlink in it survives a crash.
void fsync_directory(const std::filesystem::path& directory);

}  // namespace pindeck::staging
