// SPDX-License-Identifier: Apache-2.0
// C ABI of the library's log (pindeck/log.hpp).
#include <string>

#include "capi/guard.hpp"
#include "pindeck/log.hpp"

extern "C" {

int pd_set_log_sink(pd_log_fn sink, void* user, int min_level) {
  return pindeck::capi::guard([&] {
    if (min_level < PD_LOG_DEBUG || min_level > PD_LOG_ERROR) {
      throw pindeck::Error(pindeck::Errc::invalid,
                           "min_level " + std::to_string(min_level) +
                               " is not a pd_log_level (PD_LOG_DEBUG 0 to PD_LOG_ERROR 3)");
    }
    if (sink == nullptr) {
      pindeck::set_log_sink({});
      return;
    }
    pindeck::set_log_sink(
        [sink, user](pindeck::LogLevel level, std::string_view message) {
          const std::string text(message);  // the C side needs a NUL-terminated copy
          sink(user, static_cast<int>(level), text.c_str());
        },
        static_cast<pindeck::LogLevel>(min_level));
  });
}

}  // extern "C"
