// SPDX-License-Identifier: Apache-2.0
// Writing to the library's log (pindeck/log.hpp says where messages go).
#pragma once

#include <string_view>

#include "pindeck/log.hpp"

namespace pindeck::util {

// Whether a message at `level` would go anywhere; lets a caller skip building it.
bool log_enabled(LogLevel level);

// Sends `message` to the host's sink, or to stderr when PINDECK_LOG=stderr and no sink is set,
// or nowhere. Never throws.
void log(LogLevel level, std::string_view message) noexcept;

}  // namespace pindeck::util
