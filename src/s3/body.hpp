// SPDX-License-Identifier: Apache-2.0
// Request and response bodies that stream: memory use does not grow with object size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pindeck::s3 {

// An open file, closed when the last owner lets go. Reads use pread, so several parts of one file
// can be sent at the same time.
class File {
 public:
  static std::shared_ptr<File> open_for_reading(const std::string& path);
  // Creates or truncates.
  static std::shared_ptr<File> open_for_writing(const std::string& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const;  // current size on disk
  std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const;  // throws Errc::io
  void write_at(std::uint64_t offset, const char* data, std::size_t n);       // throws Errc::io
  void truncate(std::uint64_t size);                                          // throws Errc::io

 private:
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// A request body that can be read from any position, so a retry can start it over: a slice of a
// shared buffer or of a file.
class BodySource {
 public:
  BodySource() = default;  // empty body
  static BodySource from_buffer(std::shared_ptr<const std::string> buffer);
  static BodySource from_file(std::shared_ptr<const File> file);

  std::uint64_t size() const { return length_; }
  bool is_file() const { return file_ != nullptr; }
  // The part [offset, offset + length) of this body.
  BodySource slice(std::uint64_t offset, std::uint64_t length) const;
  // Copies up to n bytes from position pos of this body; returns 0 at the end. Throws Errc::io.
  std::size_t read_at(std::uint64_t pos, char* out, std::size_t n) const;

 private:
  std::shared_ptr<const std::string> buffer_;
  std::shared_ptr<const File> file_;
  std::uint64_t offset_ = 0;
  std::uint64_t length_ = 0;
};

// Where a successful response body goes: a growing buffer or a file. restart() empties it before a
// retried attempt writes the body again.
class ResponseSink {
 public:
  static std::shared_ptr<ResponseSink> to_buffer();
  static std::shared_ptr<ResponseSink> to_file(const std::string& path);  // throws Errc::io

  void restart();
  void write(const char* data, std::size_t n);  // throws Errc::io
  std::string take_buffer() { return std::move(buffer_); }

 private:
  std::shared_ptr<File> file_;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

// Lower-case hex SHA-256 of a body, read in blocks (a file is never loaded whole).
std::string sha256_hex(const BodySource& body);
// Base64 of the MD5 of data, as S3's Content-MD5 header wants it.
std::string md5_base64(std::string_view data);

}  // namespace pindeck::s3
