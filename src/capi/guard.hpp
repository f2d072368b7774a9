// SPDX-License-Identifier: Apache-2.0
// Turns C++ exceptions into C ABI status codes plus a thread-local message, so that no exception
// ever crosses the C boundary.
#pragma once

#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "pindeck/error.hpp"
#include "pindeck/pindeck.h"

namespace pindeck::capi {

void set_last_error(std::string_view message);
void clear_last_error();

// Makes `error` this thread's last error (pd_last_error, pd_last_error_details) and returns its
// status code. Used by guard() and by the completions of asynchronous calls, which report their
// error through a callback instead of a return value.
int record_error(std::exception_ptr error) noexcept;

// Copies a string into memory the host frees with pd_string_free().
char* copy_out(std::string_view s);

// Runs `body` (which returns void) and maps what it throws to a status code.
template <typename Body>
int guard(Body&& body) noexcept {
  try {
    clear_last_error();
    body();
    return PD_OK;
  } catch (...) {
    return record_error(std::current_exception());
  }
}

// Refuses a NULL pointer argument with a message naming it.
inline void require_arg(const void* p, const char* name) {
  if (p == nullptr) throw Error(Errc::invalid, std::string(name) + " must not be NULL");
}

// Refuses a NULL out-parameter, then clears it, so it is NULL whenever the call fails.
template <typename T>
void reset_out(T** out, const char* name) {
  require_arg(out, name);
  *out = nullptr;
}

}  // namespace pindeck::capi
