// SPDX-License-Identifier: Apache-2.0
#include "s3/body.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "pindeck/error.hpp"
#include "util/errno_error.hpp"
#include "util/hex.hpp"
#include "util/openssl_error.hpp"
#include "util/sha256.hpp"

namespace pindeck::s3 {
namespace {

[[noreturn]] void io_error(std::string_view what, const std::string& path) {
  throw util::errno_error(what, path, errno);
}

}  // namespace

std::shared_ptr<File> File::open_for_reading(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error("cannot open for reading", path);
  return std::shared_ptr<File>(new File(fd, path));
}

std::shared_ptr<File> File::open_for_writing(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_error("cannot open for writing", path);
  return std::shared_ptr<File>(new File(fd, path));
}

File::~File() {
  ::close(fd_);
}

std::uint64_t File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) io_error("cannot stat", path_);
  return static_cast<std::uint64_t>(st.st_size);
}

std::size_t File::read_at(std::uint64_t offset, char* out, std::size_t n) const {
  for (;;) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) io_error("cannot read", path_);
  }
}

void File::write_at(std::uint64_t offset, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t put = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
    if (put < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", path_);
    }
    data += put;
    n -= static_cast<std::size_t>(put);
    offset += static_cast<std::uint64_t>(put);
  }
}

void File::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) io_error("cannot truncate", path_);
}

BodySource BodySource::from_buffer(std::shared_ptr<const std::string> buffer) {
  BodySource body;
  body.length_ = buffer->size();
  body.buffer_ = std::move(buffer);
  return body;
}

BodySource BodySource::from_file(std::shared_ptr<const File> file) {
  BodySource body;
  body.length_ = file->size();
  body.file_ = std::move(file);
  return body;
}

BodySource BodySource::slice(std::uint64_t offset, std::uint64_t length) const {
  if (offset > length_ || length > length_ - offset) {
    throw Error(Errc::internal, "body slice out of range");
  }
  BodySource part = *this;
  part.offset_ = offset_ + offset;
  part.length_ = length;
  return part;
}

std::size_t BodySource::read_at(std::uint64_t pos, char* out, std::size_t n) const {
  if (pos >= length_) return 0;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, length_ - pos));
  if (buffer_) {
    std::memcpy(out, buffer_->data() + offset_ + pos, n);
    return n;
  }
  std::size_t got = file_->read_at(offset_ + pos, out, n);
  if (got == 0) {
    throw Error(Errc::io, "'" + file_->path() + "' became shorter while it was being sent");
  }
  return got;
}

std::shared_ptr<ResponseSink> ResponseSink::to_buffer() {
  return std::make_shared<ResponseSink>();
}

std::shared_ptr<ResponseSink> ResponseSink::to_file(const std::string& path) {
  auto sink = std::make_shared<ResponseSink>();
  sink->file_ = File::open_for_writing(path);
  return sink;
}

void ResponseSink::restart() {
  if (file_) file_->truncate(0);
  buffer_.clear();
  written_ = 0;
}

void ResponseSink::write(const char* data, std::size_t n) {
  if (file_) {
    file_->write_at(written_, data, n);
  } else {
    buffer_.append(data, n);
  }
  written_ += n;
}

std::string sha256_hex(const BodySource& body) {
  util::Sha256 digest;
  std::vector<char> block(std::min<std::uint64_t>(body.size(), 1u << 20));
  for (std::uint64_t pos = 0; pos < body.size();) {
    std::size_t got = body.read_at(pos, block.data(), block.size());
    digest.update(block.data(), got);
    pos += got;
  }
  return util::to_hex(digest.finish());
}

std::string md5_base64(std::string_view data) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), hash, &length, EVP_md5(), nullptr) != 1) {
    util::throw_openssl_error("MD5");
  }
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, hash, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

}  // namespace pindeck::s3
