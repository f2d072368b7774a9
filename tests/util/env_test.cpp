// SPDX-License-Identifier: Apache-2.0
#include "util/env.hpp"

#include <gtest/gtest.h>

#include "scoped_env.hpp"

namespace pindeck::util {
namespace {

using pindeck::test::ScopedEnv;

TEST(Env, SetUnsetAndEmpty) {
  ScopedEnv scoped;
  scoped.set("PINDECK_UTIL_TEST_A", "value with spaces");
  EXPECT_EQ(env("PINDECK_UTIL_TEST_A"), "value with spaces");
  scoped.unset("PINDECK_UTIL_TEST_A");
  EXPECT_EQ(env("PINDECK_UTIL_TEST_A"), std::nullopt);
  scoped.set("PINDECK_UTIL_TEST_A", "");
  EXPECT_EQ(env("PINDECK_UTIL_TEST_A"), std::nullopt) << "empty counts as unset";
}

TEST(Env, FirstEnvTakesTheFirstSetInOrder) {
  ScopedEnv scoped;
  scoped.unset("PINDECK_UTIL_TEST_A");
  scoped.set("PINDECK_UTIL_TEST_B", "");
  scoped.set("PINDECK_UTIL_TEST_C", "c");
  scoped.set("PINDECK_UTIL_TEST_D", "d");
  const auto names = {"PINDECK_UTIL_TEST_A", "PINDECK_UTIL_TEST_B", "PINDECK_UTIL_TEST_C",
                      "PINDECK_UTIL_TEST_D"};
  EXPECT_EQ(first_env(names), "c");
  scoped.set("PINDECK_UTIL_TEST_A", "a");
  EXPECT_EQ(first_env(names), "a");
  EXPECT_EQ(first_env({"PINDECK_UTIL_TEST_B"}), std::nullopt);
  EXPECT_EQ(first_env({}), std::nullopt);
}

}  // namespace
}  // namespace pindeck::util
