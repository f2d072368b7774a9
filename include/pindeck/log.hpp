// SPDX-License-Identifier: Apache-2.0
// The library's log: what libpindeck, and libvips inside it, has to say that is not the error of
// the call at hand, such as libvips' warnings about a damaged image it could still decode.
// Nothing is ever written to the host's stderr unless the host asks for it: by default messages
// are dropped; with no sink set and the environment variable PINDECK_LOG=stderr they go to stderr
// as "pindeck: <level>: <message>". The C ABI's form is pd_set_log_sink (pindeck.h).
#pragma once

#include <functional>
#include <string_view>

#include "pindeck/export.h"
#include "pindeck/pindeck.h"

namespace pindeck {

enum class LogLevel {
  debug = PD_LOG_DEBUG,
  info = PD_LOG_INFO,
  warning = PD_LOG_WARNING,
  error = PD_LOG_ERROR,
};

// Receives one message: UTF-8 text on one line, without a trailing newline.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Sends the messages at `min_level` and above to `sink`, for the whole process (replacing the
// previous sink); an empty sink restores the default above. The sink is called on whichever
// library thread logs, one call at a time; once set_log_sink returns, the previous sink is not
// called again. The sink must return quickly, must not call set_log_sink, and what it throws is
// dropped.
PD_EXPORT void set_log_sink(LogSink sink, LogLevel min_level = LogLevel::warning);

}  // namespace pindeck
