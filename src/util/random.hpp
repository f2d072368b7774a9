// SPDX-License-Identifier: Apache-2.0
// Random bytes from OpenSSL's CSPRNG (seeded by the operating system), for ids and names that
// must not collide or be guessed. Failures throw Error(Errc::internal) (see openssl_error.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace pindeck::util {

void random_bytes(std::span<unsigned char> out);

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

}  // namespace pindeck::util
