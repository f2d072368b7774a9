// SPDX-License-Identifier: Apache-2.0
#include "util/log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

#include "util/env.hpp"

namespace pindeck {

namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "log";
}

// The host's sink and its threshold. Calls are made with the mutex held, which serialises them
// and guarantees a replaced sink is never called after set_log_sink returns.
struct SinkState {
  std::mutex mutex;
  LogSink sink;
  LogLevel min_level = LogLevel::warning;
};

SinkState& state() {
  static SinkState* s = new SinkState;  // never destroyed: threads may log during exit
  return *s;
}

// The default when no sink is set: PINDECK_LOG=stderr prints warnings and errors; else silence.
bool stderr_requested() {
  const auto value = util::env("PINDECK_LOG");
  return value && *value == "stderr";
}

}  // namespace

void set_log_sink(LogSink sink, LogLevel min_level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = std::move(sink);
  s.min_level = min_level;
}

namespace util {

bool log_enabled(LogLevel level) {
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    if (s.sink) return level >= s.min_level;
  }
  return level >= LogLevel::warning && stderr_requested();
}

void log(LogLevel level, std::string_view message) noexcept {
  try {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (s.sink) {
      if (level >= s.min_level) s.sink(level, message);
      return;
    }
    if (level >= LogLevel::warning && stderr_requested()) {
      const std::string line =
          "pindeck: " + std::string(level_name(level)) + ": " + std::string(message) + "\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  } catch (...) {
    // A log message must never turn into a failure of the call that logged it.
  }
}

}  // namespace util

}  // namespace pindeck
