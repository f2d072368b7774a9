// SPDX-License-Identifier: Apache-2.0
// Who a persist job queue claims jobs as, for how long, and for which staging site: the part of
// a JobQueue (job_queue.hpp, postgres/job_queue.hpp) that is the same on every backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "util/clock.hpp"

namespace pindeck::catalog {

class JobLeases {
 public:
  // `owner` names this process's leases (unique per process); `lease` is how long a claim lasts
  // without renewal; `staging_site` is the first-stage store whose jobs this queue queues and
  // claims besides those any worker may claim (Catalog::persist_jobs). Errc::invalid for an empty
  // owner or a lease that is not positive.
  JobLeases(std::string owner, std::chrono::milliseconds lease,
            util::Clock clock = util::system_now_ms, std::string staging_site = {});

  const std::string& owner() const { return owner_; }
  std::int64_t now() const { return clock_(); }

 protected:
  std::string owner_;
  std::chrono::milliseconds lease_;
  util::Clock clock_;
  std::optional<std::string> site_;  // none: jobs any worker may claim
};

}  // namespace pindeck::catalog
