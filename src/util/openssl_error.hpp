// SPDX-License-Identifier: Apache-2.0
// How every OpenSSL failure becomes a pindeck::Error: one code (Errc::internal, also when OpenSSL
// ran out of memory, since its error queue says so in the message) and OpenSSL's own reason.
#pragma once

namespace pindeck::util {

// Throws Error(Errc::internal, "OpenSSL <what> failed: <reason>") and clears OpenSSL's error
// queue. The reason is OpenSSL's text for the failure; it never contains key material or data.
[[noreturn]] void throw_openssl_error(const char* what);

}  // namespace pindeck::util
