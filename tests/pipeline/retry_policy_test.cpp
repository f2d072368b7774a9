// SPDX-License-Identifier: Apache-2.0
#include "pipeline/retry_policy.hpp"
#include "expect_invalid.hpp"

#include <gtest/gtest.h>

namespace pindeck::pipeline {
namespace {

using std::chrono::milliseconds;

TEST(ClassifyFailure, ServerRefusalsAreFinalExceptTimeoutAndThrottling) {
  EXPECT_EQ(classify_failure(Errc::s3, 403), FailureKind::permanent);
  EXPECT_EQ(classify_failure(Errc::s3, 404), FailureKind::permanent);
  EXPECT_EQ(classify_failure(Errc::s3, 400), FailureKind::permanent);
  EXPECT_EQ(classify_failure(Errc::s3, 408), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::s3, 429), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::s3, 500), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::s3, 503), FailureKind::transient);
}

TEST(ClassifyFailure, UndecodableImagesAreFinalConnectionTroubleIsNot) {
  EXPECT_EQ(classify_failure(Errc::media), FailureKind::permanent);
  EXPECT_EQ(classify_failure(Errc::network), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::io), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::not_found), FailureKind::transient);
  EXPECT_EQ(classify_failure(Errc::database), FailureKind::transient);
}

TEST(RetrySchedule, DefaultIsThreeAttemptsBetweenTwoAndTwentySeconds) {
  RetrySchedule schedule(JobRetryPolicy{}, [] { return 0.0; });
  EXPECT_EQ(schedule.next_delay(1, FailureKind::transient), milliseconds(2000));
  EXPECT_EQ(schedule.next_delay(2, FailureKind::transient), milliseconds(2000));
  EXPECT_EQ(schedule.next_delay(3, FailureKind::transient), std::nullopt);
}

TEST(RetrySchedule, DelaysDoubleAndStopAtTheCeiling) {
  JobRetryPolicy policy;
  policy.max_attempts = 10;
  RetrySchedule top(policy, [] { return 0.999999; });
  RetrySchedule bottom(policy, [] { return 0.0; });
  const long long expected_top[] = {2000, 4000, 8000, 16000, 20000, 20000};
  const long long expected_bottom[] = {2000, 2000, 4000, 8000, 10000, 10000};
  for (int n = 1; n <= 6; ++n) {
    EXPECT_NEAR(top.next_delay(n, FailureKind::transient)->count(), expected_top[n - 1], 1) << n;
    EXPECT_EQ(bottom.next_delay(n, FailureKind::transient)->count(), expected_bottom[n - 1]) << n;
  }
  EXPECT_EQ(top.next_delay(10, FailureKind::transient), std::nullopt);
}

TEST(RetrySchedule, JitterSpreadsDelaysInsideTheWindow) {
  JobRetryPolicy policy;
  policy.max_attempts = 5;
  RetrySchedule schedule(policy);
  long long low = 1 << 30, high = 0;
  for (int i = 0; i < 2000; ++i) {
    const long long d = schedule.next_delay(4, FailureKind::transient)->count();
    ASSERT_GE(d, 8000);
    ASSERT_LE(d, 16000);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  EXPECT_LT(low, 9000);
  EXPECT_GT(high, 15000);
}

TEST(RetrySchedule, PermanentFailuresAreNeverRetried) {
  RetrySchedule schedule(JobRetryPolicy{}, [] { return 0.5; });
  EXPECT_EQ(schedule.next_delay(1, FailureKind::permanent), std::nullopt);
  EXPECT_EQ(schedule.next_delay(1, FailureKind::configuration), std::nullopt)
      << "a configuration failure is retried by a backfill after the fix, not per job";
}

TEST(RetrySchedule, NonsensePoliciesAreRefused) {
  JobRetryPolicy zero;
  zero.max_attempts = 0;
  test::expect_invalid([&] { RetrySchedule{zero}; }, "");
  JobRetryPolicy inverted;
  inverted.min_delay = milliseconds(5000);
  inverted.max_delay = milliseconds(1000);
  test::expect_invalid([&] { RetrySchedule{inverted}; }, "");
}

}  // namespace
}  // namespace pindeck::pipeline
