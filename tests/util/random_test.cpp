// SPDX-License-Identifier: Apache-2.0
#include "util/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "util/hex.hpp"

namespace pindeck::util {
namespace {

TEST(Random, HexHasTwoDigitsPerByteAndDiffersEachTime) {
  EXPECT_EQ(random_hex(0), "");
  const std::string a = random_hex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(is_lower_hex(a));
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_hex(16));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Random, BytesFillTheWholeBufferAndUseEveryValue) {
  std::array<unsigned char, 64> first{};
  std::array<unsigned char, 64> second{};
  random_bytes(first);
  random_bytes(second);
  EXPECT_NE(first, second);
  // 64 KiB of uniform bytes miss one of the 256 values with probability ~ 256 * e^-256.
  std::vector<unsigned char> many(1 << 16);
  random_bytes(many);
  std::set<unsigned char> values(many.begin(), many.end());
  EXPECT_EQ(values.size(), 256u);
  const std::array<unsigned char, 8> zero{};
  EXPECT_NE(std::vector<unsigned char>(many.end() - 8, many.end()),
            std::vector<unsigned char>(zero.begin(), zero.end()))
      << "the tail of the buffer was written too";
}

}  // namespace
}  // namespace pindeck::util
