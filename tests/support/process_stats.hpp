// SPDX-License-Identifier: Apache-2.0
// What a long-running test program watches of its own process: resident memory and open file
// descriptors, read from /proc (Linux), and a running start / peak / end record of a figure.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace pindeck::test {

// A number of /proc/self/status (0 when /proc cannot say), sizes in KiB: VmRSS (resident),
// VmHWM (peak resident), RssAnon (heap, stacks), RssFile (mapped files: code of the libraries,
// the catalog's memory-mapped pages and shared memory index); Threads.
inline long status_field(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  }
  return 0;
}

// VmRSS of this process in KiB.
inline long resident_kib() {
  return status_field("VmRSS");
}

// Bytes malloc has handed out and not had back (in its arenas and in mmapped chunks), in KiB; -1
// where the allocator cannot say. Growth here is memory held; RSS growth without it is memory the
// allocator keeps free.
inline long heap_in_use_kib() {
#if defined(__GLIBC__)
  const struct mallinfo2 info = mallinfo2();
  return static_cast<long>((info.uordblks + info.hblkhd) / 1024);
#else
  return -1;
#endif
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
