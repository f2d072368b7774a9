// SPDX-License-Identifier: Apache-2.0
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "capi/guard.hpp"
#include "s3/error.hpp"

namespace pindeck::capi {

namespace {
thread_local std::string last_error;
// pd_last_error_details(): built when an error is recorded, so the pointer handed out stays valid
// until the next call, as pd_last_error()'s does.
thread_local std::string last_error_details = "{}";

void set_details(int status, const s3::S3Error* s3_error) {
  nlohmann::json details = {{"status", pd_status_name(status)}, {"message", last_error}};
  if (s3_error != nullptr) {
    details["httpStatus"] = s3_error->http_status();
    details["s3Code"] = s3_error->s3_code();
    details["requestId"] = s3_error->request_id();
  }
  last_error_details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void set_last_error(std::string_view message) {
  last_error.assign(message);
  last_error_details = "{}";
}
void clear_last_error() {
  last_error.clear();
  last_error_details = "{}";
}

int record_error(std::exception_ptr error) noexcept {
  int status = PD_ERR_INTERNAL;
  try {
    try {
      std::rethrow_exception(error);
    } catch (const s3::S3Error& e) {
      last_error.assign(e.what());
      status = static_cast<int>(e.code());
      set_details(status, &e);
      return status;
    } catch (const Error& e) {
      last_error.assign(e.what());
      status = static_cast<int>(e.code());
    } catch (const std::bad_alloc&) {
      last_error.assign("out of memory");
      status = PD_ERR_NOMEM;
    } catch (const std::exception& e) {
      last_error.assign("internal error: ");
      last_error.append(e.what());
    } catch (...) {
      last_error.assign("internal error: unknown exception");
    }
    set_details(status, nullptr);
  } catch (...) {
    // Out of memory while describing the error: the status is still right.
    last_error_details = "{}";
  }
  return status;
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

const char* pd_last_error_details(void) {
  return pindeck::capi::last_error_details.c_str();
}

void pd_string_free(char* s) {
  std::free(s);
}
}
