// SPDX-License-Identifier: Apache-2.0
#include "util/hex.hpp"

#include <gtest/gtest.h>

#include <array>

namespace pindeck::util {
namespace {

TEST(Hex, EveryByteValueIsTwoDigitsHighNibbleFirst) {
  EXPECT_EQ(to_hex(std::string_view("\x00\x01\x7f\x80\xff\xa5", 6)), "00017f80ffa5");
  EXPECT_EQ(to_hex(std::string_view("\x00\x01\x7f\x80\xff\xa5", 6), HexCase::upper),
            "00017F80FFA5");
  EXPECT_EQ(to_hex(std::string_view()), "");
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string hex = to_hex(all);
  ASSERT_EQ(hex.size(), 512u);
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(std::stoi(hex.substr(2 * b, 2), nullptr, 16), b) << "byte " << b;
  }
}

TEST(Hex, AppendKeepsWhatIsThereAndSpansOfBytesWork) {
  std::string out = "sig=";
  const std::array<unsigned char, 3> bytes{0xde, 0xad, 0x01};
  append_hex(out, bytes);
  EXPECT_EQ(out, "sig=dead01");
  const std::array<std::byte, 2> raw{std::byte{0x0f}, std::byte{0xf0}};
  EXPECT_EQ(to_hex(std::span<const std::byte>(raw)), "0ff0");
}

TEST(Hex, IsLowerHexAcceptsOnlyLowerCaseDigits) {
  EXPECT_TRUE(is_lower_hex("0123456789abcdef"));
  EXPECT_FALSE(is_lower_hex(""));
  EXPECT_FALSE(is_lower_hex("ABCDEF"));
  EXPECT_FALSE(is_lower_hex("abcdefg"));
  EXPECT_FALSE(is_lower_hex("12 4"));
}

}  // namespace
}  // namespace pindeck::util
