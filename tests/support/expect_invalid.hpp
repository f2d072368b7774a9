// SPDX-License-Identifier: Apache-2.0
// Expects a call to throw pindeck::Error(Errc::invalid) whose message names what was wrong.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::test {

template <typename Call>
void expect_invalid(Call&& call, const std::string& message_part) {
  try {
    call();
    ADD_FAILURE() << "expected Error(invalid) mentioning \"" << message_part << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid) << e.what();
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

}  // namespace pindeck::test
