// SPDX-License-Identifier: Apache-2.0
#include "util/openssl_error.hpp"

#include <openssl/err.h>

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::util {

void throw_openssl_error(const char* what) {
  std::string message = std::string("OpenSSL ") + what + " failed";
  if (unsigned long code = ERR_get_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  throw Error(Errc::internal, message);
}

}  // namespace pindeck::util
