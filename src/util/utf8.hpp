// SPDX-License-Identifier: Apache-2.0
// UTF-8 one code point at a time: the record rules, and the sources reading text from elsewhere.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pindeck::util {

struct CodePoint {
  char32_t value;
  std::size_t bytes;  // 1 to 4
};

// The code point starting at text[i] (i < text.size()); nullopt where the bytes there are not
// UTF-8: a stray continuation byte, an overlong form, a surrogate, a value over U+10FFFF, or a
// sequence cut short.
std::optional<CodePoint> utf8_at(std::string_view text, std::size_t i);

// Appends the UTF-8 form of a code point (at most U+10FFFF, not a surrogate).
void append_utf8(char32_t cp, std::string& out);

}  // namespace pindeck::util
