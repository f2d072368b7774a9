// SPDX-License-Identifier: Apache-2.0
// What the soak and burst programs watch of their own process: resident memory and open file
// descriptors, read from /proc (Linux), and a running start / peak / end record of both.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace pindeck::soak {

// VmRSS of this process in KiB (0 when /proc cannot say).
inline long resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

// Entries of /proc/self/fd, without the one the listing itself holds open.
inline int open_fds() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count - 1;
}

struct Gauge {
  long start = -1;
  long peak = 0;
  long last = 0;
  void sample(long value) {
    if (start < 0) start = value;
    peak = std::max(peak, value);
    last = value;
  }
};

inline double mib(long kib) {
  return static_cast<double>(kib) / 1024.0;
}

}  // namespace pindeck::soak
