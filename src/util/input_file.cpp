// SPDX-License-Identifier: Apache-2.0
#include "util/input_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "util/errno_error.hpp"

namespace pindeck::util {

InputFile::InputFile(std::filesystem::path path)
    : path_(std::move(path)), fd_(::open(path_.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) throw errno_error("cannot open", path_, errno);
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
