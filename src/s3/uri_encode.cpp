// SPDX-License-Identifier: Apache-2.0
#include "s3/uri_encode.hpp"

#include <array>
#include <span>

#include "util/hex.hpp"

namespace pindeck::s3 {
namespace {

constexpr std::array<bool, 256> unreserved_table() {
  std::array<bool, 256> table{};
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (char c : {'-', '.', '_', '~'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}

constexpr std::array<bool, 256> kUnreserved = unreserved_table();

}  // namespace

void append_uri_encoded(std::string& out, std::string_view text, Slash slash) {
  out.reserve(out.size() + text.size());
  std::size_t kept_from = 0;  // runs of characters kept as they are go in with one append
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (kUnreserved[byte] || (byte == '/' && slash == Slash::keep)) continue;
    out.append(text, kept_from, i - kept_from);
    out.push_back('%');
    util::append_hex(out, std::span(&byte, 1), util::HexCase::upper);
    kept_from = i + 1;
  }
  out.append(text, kept_from, text.size() - kept_from);
}

}  // namespace pindeck::s3
