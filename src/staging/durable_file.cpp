#include "staging/durable_file.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pindeck/error.hpp"

namespace pindeck::staging {

void throw_io_error(const std::string& what, const std::filesystem::path& path, int error_number) {
  const Errc code = error_number == ENOENT ? Errc::not_found : Errc::io;
  throw Error(code, what + " '" + path.string() + "': " + std::strerror(error_number));
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw Error(Errc::internal, "OpenSSL could not produce random bytes");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (unsigned char c : raw) {
    hex.push_back(digits[c >> 4]);
    hex.push_back(digits[c & 0xf]);
  }
  return hex;
}

void fsync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io_error("cannot open directory", directory, errno);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw_io_error("cannot fsync directory", directory, saved);
}

DurableFileWriter::DurableFileWriter(const std::filesystem::path& directory)
    : directory_(directory) {
  temp_path_ = directory_ / (std::string(temp_prefix) + random_hex(12));
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_io_error("cannot create temporary file", temp_path_, errno);
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
      throw_io_error("cannot write", temp_path_, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void DurableFileWriter::commit(const std::filesystem::path& target) {
  if (::fsync(fd_) != 0) throw_io_error("cannot fsync", temp_path_, errno);
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) throw_io_error("cannot close", temp_path_, errno);
  if (::rename(temp_path_.c_str(), target.c_str()) != 0) {
    throw_io_error("cannot rename into place", target, errno);
  }
  committed_ = true;
  fsync_directory(directory_);
}

}  // namespace pindeck::staging
