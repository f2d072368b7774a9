// SPDX-License-Identifier: Apache-2.0
#include "util/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "util/errno_error.hpp"

namespace pindeck::util {

namespace {

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void refuse_kind(const std::filesystem::path& path, mode_t mode) {
  throw Error(Errc::invalid, "cannot read '" + path.string() + "': it is " +
                                 std::string(kind_of(mode)) + ", only regular files are read");
}

}  // namespace

InputFile::InputFile(std::filesystem::path path)
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    : path_(std::move(path)),
      fd_(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) {
  if (fd_ < 0) {
    const int saved = errno;
    struct stat info {};
    // A socket cannot be opened at all (ENXIO): say what it is rather than what open(2) says.
    if (saved == ENXIO && ::stat(path_.c_str(), &info) == 0) refuse_kind(path_, info.st_mode);
    throw errno_error("cannot open", path_, saved);
  }
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const int saved = errno;
    ::close(fd_);
    throw errno_error("cannot stat", path_, saved);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd_);
    refuse_kind(path_, info.st_mode);
  }
}

InputFile::~InputFile() {
  ::close(fd_);
}

std::size_t InputFile::read_some(std::span<std::byte> buffer) {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw errno_error("cannot read", path_, errno);
  }
}

}  // namespace pindeck::util
