// SPDX-License-Identifier: Apache-2.0
// When a failed persist job runs again (DESIGN §6.3): exponential backoff with jitter between a
// floor and a ceiling, a bounded number of attempts, and no retry at all for errors that cannot
// heal (the server refused the request for good, or the image cannot be decoded) or that only the
// host can fix (its settings: credentials, a missing bucket).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "catalog/persist_jobs.hpp"
#include "pindeck/error.hpp"

namespace pindeck::pipeline {

// Transient, permanent or configuration (catalog/persist_jobs.hpp): what a backfill does with it.
using catalog::FailureKind;

// Classifies a failure from the error's code and, when an HTTP exchange produced it, the status:
// media errors and invalid input are permanent, and so is a 4xx answer other than 408 and 429;
// network, I/O (a missing directory included), 5xx, 408 and 429 are transient. (Configuration
// failures are told apart where the settings are known: the object store throws
// StoreConfigurationError.)
FailureKind classify_failure(Errc code, std::optional<int> http_status = std::nullopt);

struct JobRetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds min_delay{2000};
  std::chrono::milliseconds max_delay{20000};

  // Throws Errc::invalid naming the field when the policy makes no sense.
  void validate() const;
};

// Decides whether, and after how long, a job runs again. The random source is injectable so
// tests can pin the jitter; by default it is a per-thread Mersenne Twister.
class RetrySchedule {
 public:
  // Returns a number uniformly distributed in [0, 1).
  using UniformRandom = std::function<double()>;

  explicit RetrySchedule(JobRetryPolicy policy, UniformRandom random = {});

  // After `attempts_made` attempts (>= 1) failed with `kind`: the delay before the next
  // attempt, or nothing when the job has to end failed (at once for a permanent or
  // configuration failure). The n-th retry waits a random time in
  // [max(min, d/2), d] with d = min(max_delay, min_delay * 2^(n-1)).
  std::optional<std::chrono::milliseconds> next_delay(int attempts_made, FailureKind kind) const;

  const JobRetryPolicy& policy() const { return policy_; }

 private:
  JobRetryPolicy policy_;
  UniformRandom random_;
};

}  // namespace pindeck::pipeline
