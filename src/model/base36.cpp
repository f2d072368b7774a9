// SPDX-License-Identifier: Apache-2.0
#include "model/base36.hpp"

#include <algorithm>
#include <array>

#include "util/random.hpp"

namespace pindeck::model {

namespace {
constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
}

std::string to_base36(std::uint64_t value) {
  std::string digits;
  do {
    digits.push_back(kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string to_base36_fixed(std::uint64_t value, std::size_t width) {
  std::string out(width, '0');
  for (auto it = out.rbegin(); it != out.rend() && value != 0; ++it, value /= 36) {
    *it = kDigits[value % 36];
  }
  return out;
}

bool is_base36(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  });
}

std::string random_base36(std::size_t length) {
  // Bytes of 252 and above are thrown away so that every digit is equally likely (252 = 7*36).
  constexpr unsigned kUnbiasedLimit = 252;
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 32> bytes{};
  while (out.size() < length) {
    util::random_bytes(bytes);
    for (unsigned char b : bytes) {
      if (b >= kUnbiasedLimit || out.size() == length) continue;
      out.push_back(kDigits[b % 36]);
    }
  }
  return out;
}

}  // namespace pindeck::model
