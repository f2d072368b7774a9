// SPDX-License-Identifier: Apache-2.0
#include "pipeline/retry_policy.hpp"

#include <algorithm>
#include <random>
#include <string>

namespace pindeck::pipeline {

FailureKind classify_failure(Errc code, std::optional<int> http_status) {
  if (http_status && *http_status >= 400 && *http_status < 500) {
    return *http_status == 408 || *http_status == 429 ? FailureKind::transient
                                                      : FailureKind::permanent;
  }
  switch (code) {
    case Errc::media:
    case Errc::invalid: return FailureKind::permanent;
    default: return FailureKind::transient;
  }
}

void JobRetryPolicy::validate() const {
  if (max_attempts < 1 || max_attempts > 100) {
    throw Error(Errc::invalid,
                "retry max_attempts must be 1 to 100, not " + std::to_string(max_attempts));
  }
  if (min_delay.count() < 0 || max_delay < min_delay) {
    throw Error(Errc::invalid, "retry delays must satisfy 0 <= min_delay <= max_delay");
  }
}

RetrySchedule::RetrySchedule(JobRetryPolicy policy, UniformRandom random)
    : policy_(policy), random_(std::move(random)) {
  policy_.validate();
  if (!random_) {
    random_ = [] {
      thread_local std::mt19937_64 engine{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
}

std::optional<std::chrono::milliseconds> RetrySchedule::next_delay(int attempts_made,
                                                                   FailureKind kind) const {
  if (kind != FailureKind::transient || attempts_made >= policy_.max_attempts) {
    return std::nullopt;
  }
  const auto min = policy_.min_delay.count();
  const auto max = policy_.max_delay.count();
  // Doubling stops once the ceiling is reached, so a large attempt count cannot overflow.
  long long ceiling = std::max<long long>(min, 1);
  for (int i = 1; i < attempts_made && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min<long long>(ceiling, max);
  const long long floor = std::max<long long>(min, ceiling / 2);
  const double r = std::clamp(random_(), 0.0, 1.0);
  const auto delay = floor + static_cast<long long>(r * static_cast<double>(ceiling - floor));
  return std::chrono::milliseconds(std::min(delay, ceiling));
}

}  // namespace pindeck::pipeline
