// SPDX-License-Identifier: Apache-2.0
// Expects a call to throw pindeck::Error with a given code (and, when given, a message naming what
// was wrong): EXPECT_THROW(call, Error) alone passes whatever went wrong.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::test {

template <typename Call>
void expect_error(Call&& call, Errc code, const std::string& message_part = "") {
  try {
    call();
    ADD_FAILURE() << "expected Error(" << static_cast<int>(code) << ") mentioning \""
                  << message_part << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

}  // namespace pindeck::test
