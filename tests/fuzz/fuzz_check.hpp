// SPDX-License-Identifier: Apache-2.0
// What the fuzz targets share: a failed invariant stops the run with a message naming it, and
// libFuzzer keeps the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "pindeck/error.hpp"

namespace pindeck::fuzz {

inline void require(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
  std::abort();
}

// A parser may refuse its input only with the error code its contract names.
inline void require_code(const Error& error, Errc expected, const char* parser) {
  if (error.code() == expected) return;
  std::fprintf(stderr, "fuzz invariant broken: %s threw error code %d (%s)\n", parser,
               static_cast<int>(error.code()), error.what());
  std::abort();
}

}  // namespace pindeck::fuzz
