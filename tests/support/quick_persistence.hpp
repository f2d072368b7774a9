// SPDX-License-Identifier: Apache-2.0
// The persistence settings of tests that wait for jobs: the local store, polled every 50 ms
// instead of every second, so a test does not sleep through most of its run.
#pragma once

#include <chrono>

#include "pindeck/persistence.hpp"

namespace pindeck::test {

inline PersistenceConfig quick_persistence() {
  PersistenceConfig config;
  config.poll_interval = std::chrono::milliseconds(50);
  return config;
}

}  // namespace pindeck::test
