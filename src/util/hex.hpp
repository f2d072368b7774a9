// SPDX-License-Identifier: Apache-2.0
// Hexadecimal text of bytes: digests, random ids, colours and percent-escapes all spell bytes
// this way.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace pindeck::util {

// Digests and ids are lower case; percent-escapes (RFC 3986, SigV4) are upper case.
enum class HexCase { lower, upper };

// Two digits per byte, most significant nibble first.
void append_hex(std::string& out, std::span<const unsigned char> bytes,
                HexCase letters = HexCase::lower);
std::string to_hex(std::span<const unsigned char> bytes, HexCase letters = HexCase::lower);
std::string to_hex(std::span<const std::byte> bytes, HexCase letters = HexCase::lower);
std::string to_hex(std::string_view bytes, HexCase letters = HexCase::lower);

// True if `text` is not empty and every character is one of [0-9a-f].
bool is_lower_hex(std::string_view text) noexcept;

}  // namespace pindeck::util
