// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over list cursors: any token decodes to a cursor or ends in
// Error(Errc::invalid); a decoded cursor encodes to a token that decodes to the same cursor. The
// input is tried as a token and, to reach the JSON inside without guessing base64, as the
// payload of one.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "catalog/cursor.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace pindeck::catalog;
using pindeck::fuzz::require;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

void check(std::string_view token) {
  Cursor cursor;
  try {
    cursor = decode_cursor(token);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, pindeck::Errc::invalid, "decode_cursor");
    return;
  }
  if (const auto* offset = std::get_if<OffsetCursor>(&cursor)) {
    require(offset->offset >= 0, "a decoded offset is never negative");
  }
  if (const auto* closeness = std::get_if<ClosenessCursor>(&cursor)) {
    require(closeness->distance_512 >= 0, "a decoded distance is never negative");
  }
  // Cursors have no operator==: their encodings stand for them.
  const std::string encoded = encode_cursor(cursor);
  require(encode_cursor(decode_cursor(encoded)) == encoded,
          "a cursor decodes from its own token to the same cursor");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(bytes);
  check(base64(bytes));
  return 0;
}
