// SPDX-License-Identifier: Apache-2.0
#include "util/hex.hpp"

#include <algorithm>

namespace pindeck::util {

void append_hex(std::string& out, std::span<const unsigned char> bytes, HexCase letters) {
  const char* digits = letters == HexCase::lower ? "0123456789abcdef" : "0123456789ABCDEF";
  const std::size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* p = out.data() + start;
  for (unsigned char byte : bytes) {
    *p++ = digits[byte >> 4];
    *p++ = digits[byte & 0x0f];
  }
}

std::string to_hex(std::span<const unsigned char> bytes, HexCase letters) {
  std::string out;
  append_hex(out, bytes, letters);
  return out;
}

std::string to_hex(std::span<const std::byte> bytes, HexCase letters) {
  return to_hex(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
                letters);
}

std::string to_hex(std::string_view bytes, HexCase letters) {
  return to_hex(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
                letters);
}

bool is_lower_hex(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace pindeck::util
