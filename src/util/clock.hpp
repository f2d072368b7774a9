// SPDX-License-Identifier: Apache-2.0
// Wall-clock time as records and jobs store it: milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <functional>

namespace pindeck::util {

std::int64_t system_now_ms();

// A source of the current time in ms since the epoch; system_now_ms in production, injectable
// so tests can move time.
using Clock = std::function<std::int64_t()>;

}  // namespace pindeck::util
