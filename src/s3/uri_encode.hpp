// SPDX-License-Identifier: Apache-2.0
// URI encoding as SigV4 defines it: every byte except RFC 3986's unreserved characters
// (A-Z a-z 0-9 - . _ ~) becomes %XX with upper-case hex. Unlike form encoding, a space is %20,
// never '+', and '+' itself is %2B.
#pragma once

#include <string>
#include <string_view>

namespace pindeck::s3 {

enum class Slash { encode, keep };

// Appends the encoding of text to out; with Slash::keep, '/' stays as it is (object paths).
void append_uri_encoded(std::string& out, std::string_view text, Slash slash);

inline std::string uri_encode(std::string_view text, Slash slash) {
  std::string out;
  append_uri_encoded(out, text, slash);
  return out;
}

}  // namespace pindeck::s3
