// SPDX-License-Identifier: Apache-2.0
#include "util/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "util/hex.hpp"
#include "util/openssl_error.hpp"

namespace pindeck::util {

void random_bytes(std::span<unsigned char> out) {
  // RAND_bytes takes an int count.
  while (!out.empty()) {
    const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw_openssl_error("random bytes");
    out = out.subspan(n);
  }
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  random_bytes(raw);
  return to_hex(raw);
}

}  // namespace pindeck::util
