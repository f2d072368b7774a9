// SPDX-License-Identifier: Apache-2.0
#include "util/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pindeck::util {
namespace {

TEST(Clock, SystemNowIsMillisecondsSinceTheEpochAndMovesForward) {
  const std::int64_t first = system_now_ms();
  EXPECT_GT(first, 1'700'000'000'000) << "after November 2023, so in ms, not s";
  EXPECT_LT(first, 4'102'444'800'000) << "before 2100, so in ms, not us";
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(system_now_ms() - first, 5);
}

TEST(Clock, AClockIsInjectable) {
  std::int64_t now = 42;
  const Clock fake = [&now] { return now; };
  now += 1000;
  EXPECT_EQ(fake(), 1042);
}

}  // namespace
}  // namespace pindeck::util
