// SPDX-License-Identifier: Apache-2.0
#include "staging/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "pindeck/error.hpp"
#include "util/errno_error.hpp"
#include "util/random.hpp"

namespace pindeck::staging {

namespace {

// A full disk (or quota) is said plainly and names the directory, since that is what the host
// must free space in; any other failure names the file as errno_error does.
Error write_error(std::string_view what, const std::filesystem::path& file,
                  const std::filesystem::path& directory, int error_number) {
  if (error_number == ENOSPC || error_number == EDQUOT) {
    return Error(Errc::io, std::string(what) + " '" + file.string() + "': the disk is full (" +
                               std::strerror(error_number) + " in '" + directory.string() +
                               "'); nothing was kept");
  }
  return util::errno_error(what, file, error_number);
}

}  // namespace

void fsync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw util::errno_error("cannot open directory", directory, errno);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw util::errno_error("cannot fsync directory", directory, saved);
}

DurableFileWriter::DurableFileWriter(const std::filesystem::path& directory)
    : directory_(directory) {
  temp_path_ = directory_ / (std::string(temp_prefix) + util::random_hex(12));
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw util::errno_error("cannot create temporary file", temp_path_, errno);
}

DurableFileWriter::~DurableFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void DurableFileWriter::write(std::span<const std::byte> bytes) {
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw write_error("cannot write", temp_path_, directory_, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void DurableFileWriter::commit(const std::filesystem::path& target) {
  if (::fsync(fd_) != 0) throw write_error("cannot fsync", temp_path_, directory_, errno);
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) throw write_error("cannot close", temp_path_, directory_, errno);
  if (::rename(temp_path_.c_str(), target.c_str()) != 0) {
    throw util::errno_error("cannot rename into place", target, errno);
  }
  committed_ = true;
  fsync_directory(directory_);
}

}  // namespace pindeck::staging
