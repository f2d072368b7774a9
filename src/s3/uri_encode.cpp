#include "s3/uri_encode.hpp"

#include <array>

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
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.reserve(out.size() + text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (kUnreserved[byte] || (c == '/' && slash == Slash::keep)) {
      out.push_back(c);
    } else {
      const char escaped[3] = {'%', kHex[byte >> 4], kHex[byte & 0x0f]};
      out.append(escaped, 3);
    }
  }
}

}  // namespace pindeck::s3
