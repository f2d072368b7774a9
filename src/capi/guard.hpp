// SPDX-License-Identifier: Apache-2.0
// Turns C++ exceptions into C ABI status codes plus a thread-local message, so that no exception
// ever crosses the C boundary.
#pragma once

#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "pindeck/error.hpp"
#include "pindeck/pindeck.h"

namespace pindeck::capi {

void set_last_error(std::string_view message);
void clear_last_error();

// Copies a string into memory the host frees with pd_string_free().
char* copy_out(std::string_view s);

// Runs `body` (which returns void) and maps what it throws to a status code.
template <typename Body>
int guard(Body&& body) noexcept {
  try {
    clear_last_error();
    body();
    return PD_OK;
  } catch (const Error& e) {
    set_last_error(e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return PD_ERR_NOMEM;
  } catch (const std::exception& e) {
    set_last_error(std::string("internal error: ") + e.what());
    return PD_ERR_INTERNAL;
  } catch (...) {
    set_last_error("internal error: unknown exception");
    return PD_ERR_INTERNAL;
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
