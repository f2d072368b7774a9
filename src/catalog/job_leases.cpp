// SPDX-License-Identifier: Apache-2.0
#include "catalog/job_leases.hpp"

#include <utility>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

JobLeases::JobLeases(std::string owner, std::chrono::milliseconds lease, util::Clock clock,
                     std::string staging_site)
    : owner_(std::move(owner)), lease_(lease), clock_(std::move(clock)) {
  if (!staging_site.empty()) site_ = std::move(staging_site);
  if (owner_.empty()) throw Error(Errc::invalid, "job queue owner must not be empty");
  if (lease_.count() <= 0) throw Error(Errc::invalid, "job lease must be positive");
}

}  // namespace pindeck::catalog
