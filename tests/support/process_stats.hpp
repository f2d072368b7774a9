// SPDX-License-Identifier: Apache-2.0
// What a long-running test program watches of its own process: resident memory and open file
// descriptors, read from /proc (Linux), and a running start / peak / end record of a figure.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace pindeck::test {

// VmRSS of this process in KiB (0 when /proc cannot say).
inline long resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

// Open file descriptors of this process, sockets apart from the rest (files, pipes, eventfds):
// pooled connections come and go with the load, anything else should stay flat.
struct OpenFds {
  long sockets = 0;
  long others = 0;
};

inline OpenFds open_fds() {
  OpenFds fds;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (ec) continue;
    if (target.native().starts_with("socket:")) {
      ++fds.sockets;
    } else {
      ++fds.others;
    }
  }
  --fds.others;  // the listing's own descriptor
  return fds;
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

}  // namespace pindeck::test
