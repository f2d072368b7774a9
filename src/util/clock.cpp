// SPDX-License-Identifier: Apache-2.0
#include "util/clock.hpp"

#include <chrono>

namespace pindeck::util {

std::int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace pindeck::util
