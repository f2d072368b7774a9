// SPDX-License-Identifier: Apache-2.0
#include <cstdlib>
#include <string>

#include "capi/guard.hpp"

namespace pindeck::capi {

namespace {
thread_local std::string last_error;
}

void set_last_error(std::string_view message) {
  last_error.assign(message);
}
void clear_last_error() {
  last_error.clear();
}

char* copy_out(std::string_view s) {
  auto* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

}  // namespace pindeck::capi

extern "C" {

int pd_version(void) {
  return PD_VERSION_NUMBER;
}

const char* pd_version_string(void) {
  return PD_VERSION_STRING;
}

const char* pd_status_name(int status) {
  switch (status) {
    case PD_OK: return "ok";
    case PD_ERR_INVALID: return "invalid";
    case PD_ERR_NOT_FOUND: return "not_found";
    case PD_ERR_CONFLICT: return "conflict";
    case PD_ERR_IO: return "io";
    case PD_ERR_DATABASE: return "database";
    case PD_ERR_MEDIA: return "media";
    case PD_ERR_NETWORK: return "network";
    case PD_ERR_S3: return "s3";
    case PD_ERR_NOMEM: return "nomem";
    case PD_ERR_INTERNAL: return "internal";
    case PD_ERR_CLOSED: return "closed";
    case PD_ERR_MISUSE: return "misuse";
    default: return "unknown";
  }
}

const char* pd_last_error(void) {
  return pindeck::capi::last_error.c_str();
}

void pd_string_free(char* s) {
  std::free(s);
}
}
