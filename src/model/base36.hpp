// SPDX-License-Identifier: Apache-2.0
// Base 36 with lowercase digits, as JavaScript's Number.prototype.toString(36) writes it: the
// alphabet of record ids, uniqueIds and the time and nonce parts of object keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pindeck::model {

// "0" for 0, else the digits without leading zeros.
std::string to_base36(std::uint64_t value);

// Exactly `width` digits, zero-padded on the left, so that such numbers sort as plain strings.
// Keeps only the low `width` digits of a larger value.
std::string to_base36_fixed(std::uint64_t value, std::size_t width);

// True if every character is in [0-9a-z] (and there is at least one).
bool is_base36(std::string_view text) noexcept;

// `length` base-36 digits from util::random_bytes, uniformly distributed.
// Throws Error(Errc::internal) if the generator fails.
std::string random_base36(std::size_t length);

}  // namespace pindeck::model
