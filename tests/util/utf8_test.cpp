// SPDX-License-Identifier: Apache-2.0
#include "util/utf8.hpp"

#include <gtest/gtest.h>

namespace pindeck::util {
namespace {

TEST(Utf8, DecodesOneToFourByteForms) {
  const std::string text = "a\u00e9\u6620\U0001F3AC";
  std::size_t i = 0;
  std::u32string decoded;
  while (i < text.size()) {
    const auto cp = utf8_at(text, i);
    ASSERT_TRUE(cp) << "at byte " << i;
    decoded += cp->value;
    i += cp->bytes;
  }
  EXPECT_EQ(decoded, U"a\u00e9\u6620\U0001F3AC");
}

TEST(Utf8, RefusesWhatIsNotUtf8) {
  for (const std::string& bad : {std::string("\x80"), std::string("\xC0\x80"),  // overlong
                                 std::string("\xE0\x80\xAF"), std::string("\xED\xA0\x80"),
                                 std::string("\xF4\x90\x80\x80"),  // over U+10FFFF
                                 std::string("\xF0\x9F\x8E"),      // cut short
                                 std::string("\xFF")}) {
    EXPECT_FALSE(utf8_at(bad, 0)) << "accepted a sequence of " << bad.size() << " bytes";
  }
}

TEST(Utf8, AppendsWhatItDecodes) {
  for (const char32_t cp :
       {U'\u0041', U'\u07FF', U'\u0800', U'\uFFFD', U'\U00010000', U'\U0010FFFF'}) {
    std::string encoded;
    append_utf8(cp, encoded);
    const auto back = utf8_at(encoded, 0);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->value, cp);
    EXPECT_EQ(back->bytes, encoded.size());
  }
}

}  // namespace
}  // namespace pindeck::util
