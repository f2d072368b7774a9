#include "model/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <mutex>

#include "pindeck/error.hpp"

namespace pindeck::model {

namespace {

constexpr std::string_view digits = "0123456789abcdefghijklmnopqrstuvwxyz";

std::string fixed_base36(std::int64_t value, std::size_t width) {
  std::string out(width, '0');
  auto v = static_cast<std::uint64_t>(value < 0 ? 0 : value);
  for (auto it = out.rbegin(); it != out.rend() && v != 0; ++it, v /= 36) *it = digits[v % 36];
  return out;
}

}  // namespace

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string random_base36(std::size_t count) {
  std::string out;
  out.reserve(count);
  std::array<unsigned char, 32> pool{};
  while (out.size() < count) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      throw Error(Errc::internal, "the system random number generator failed");
    }
    for (unsigned char b : pool) {
      // 252 = 7 * 36: dropping the top values keeps every character equally likely.
      if (b < 252 && out.size() < count) out.push_back(digits[b % 36]);
    }
  }
  return out;
}

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
  return fixed_base36(stamp, 9) + fixed_base36(seq, 3) + random_base36(5);
}

std::string new_unique_id(std::int64_t ms) {
  return "img-" + std::to_string(ms) + "-" + random_base36(7);
}

}  // namespace pindeck::model
