// SPDX-License-Identifier: Apache-2.0
// A real small or read-only file system for one test: a tmpfs mounted on a fresh directory and
// unmounted when the test ends. Mounting needs privileges; when it is refused, error() says why
// and the test skips (GTEST_SKIP) rather than pretending.
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

namespace pindeck::test {

class ScopedTmpfs {
 public:
  // Mounts a tmpfs of `size_bytes` on `mount_point` (created when missing), read-only if asked.
  ScopedTmpfs(std::filesystem::path mount_point, std::uint64_t size_bytes, bool read_only = false)
      : mount_point_(std::move(mount_point)) {
    std::error_code ec;
    std::filesystem::create_directories(mount_point_, ec);
    const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0755";
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", read_only ? MS_RDONLY : 0,
                options.c_str()) != 0) {
      error_ = "cannot mount a tmpfs on " + mount_point_.string() + " (" + std::strerror(errno) +
               "): this test needs mount privileges (root or CAP_SYS_ADMIN)";
      return;
    }
    mounted_ = true;
  }
  ~ScopedTmpfs() {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::filesystem::path& path() const { return mount_point_; }

  // Remounts read-only (true) or writable (false), keeping the content.
  bool remount(bool read_only) {
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    return ::mount("tmpfs", mount_point_.c_str(), "tmpfs", flags, nullptr) == 0;
  }

 private:
  std::filesystem::path mount_point_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace pindeck::test
