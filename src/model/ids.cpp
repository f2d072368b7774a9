// SPDX-License-Identifier: Apache-2.0
#include "model/ids.hpp"

#include <mutex>

#include "model/base36.hpp"

namespace pindeck::model {

std::string new_record_id(std::int64_t ms) {
  // Ids made by this process never go backwards: within one millisecond (or if the clock steps
  // back) a sequence number counts up, borrowing the next millisecond when it runs out.
  static std::mutex mutex;
  static std::int64_t last_ms = 0;
  static std::int64_t sequence = 0;
  constexpr std::int64_t sequence_limit = 36 * 36 * 36;
  std::int64_t stamp = 0;
  std::int64_t seq = 0;
  {
    std::lock_guard lock(mutex);
    if (ms > last_ms) {
      last_ms = ms;
      sequence = 0;
    } else if (++sequence == sequence_limit) {
      ++last_ms;
      sequence = 0;
    }
    stamp = last_ms;
    seq = sequence;
  }
  return to_base36_fixed(static_cast<std::uint64_t>(stamp < 0 ? 0 : stamp), 9) +
         to_base36_fixed(static_cast<std::uint64_t>(seq), 3) + random_base36(5);
}

std::string new_unique_id(std::int64_t ms) {
  return "img-" + std::to_string(ms) + "-" + random_base36(7);
}

}  // namespace pindeck::model
