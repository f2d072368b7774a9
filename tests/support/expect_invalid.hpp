// SPDX-License-Identifier: Apache-2.0
// Expects a call to throw pindeck::Error(Errc::invalid) whose message names what was wrong.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "expect_error.hpp"

namespace pindeck::test {

template <typename Call>
void expect_invalid(Call&& call, const std::string& message_part) {
  expect_error(std::forward<Call>(call), Errc::invalid, message_part);
}

}  // namespace pindeck::test
