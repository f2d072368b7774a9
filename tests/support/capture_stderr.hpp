// SPDX-License-Identifier: Apache-2.0
// Captures what this process writes to file descriptor 2 (stderr) for a scope: fd 2 is pointed
// at a temporary file and restored by text(), so output from C libraries is caught too.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pindeck::test {

class CaptureStderr {
 public:
  CaptureStderr() {
    std::fflush(stderr);
    saved_ = ::dup(2);
    file_ = std::tmpfile();
    if (saved_ < 0 || file_ == nullptr || ::dup2(::fileno(file_), 2) < 0)
      throw std::runtime_error("cannot capture stderr");
  }
  ~CaptureStderr() { restore(); }
  CaptureStderr(const CaptureStderr&) = delete;
  CaptureStderr& operator=(const CaptureStderr&) = delete;

  // Everything written to fd 2 since the capture began; stderr is restored from here on.
  std::string text() {
    restore();
    std::string out;
    std::rewind(file_);
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file_)) out.append(buffer, n);
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }

  int saved_ = -1;
  std::FILE* file_ = nullptr;
};

}  // namespace pindeck::test
