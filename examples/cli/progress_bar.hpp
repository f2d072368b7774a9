// SPDX-License-Identifier: Apache-2.0
// The pindeck command's progress display, shared by its long subcommands.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <string>

namespace pindeck_cli {

// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total)
      : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) != 0) {}
  ~ProgressBar() { finish(); }

  // For work whose size is learnt once it has started (the images of a message or a feed).
  void set_total(std::size_t total) { total_ = total; }

  void update(std::size_t done, const std::string& detail = {}) {
    if (!enabled_ || total_ == 0) return;
    constexpr int width = 30;
    const int filled = static_cast<int>(width * done / total_);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r%-10s [%s] %zu/%zu %-40.40s", label_.c_str(), bar.c_str(), done, total_,
                 detail.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fputc('\n', stderr);
    shown_ = false;
  }

 private:
  std::string label_;
  std::size_t total_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace pindeck_cli
