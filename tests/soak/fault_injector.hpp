// SPDX-License-Identifier: Apache-2.0
// Injects faults at random through the test fault proxy between the library and the S3 server:
// one fault episode at a time, separated by quiet gaps of random length. An episode is a 500 or
// 503 storm (every new connection answered with the error), resets in the middle of request or
// response bodies, a stalled connection, or the server down and back up.
#pragma once

#include <array>
#include <chrono>
#include <random>
#include <string>

#include "fault_proxy.hpp"

namespace pindeck::soak {

enum class FaultKind { storm_500, storm_503, reset_mid_request, reset_mid_response, stall, down };
inline constexpr int fault_kinds = 6;
const char* fault_name(FaultKind kind);

class FaultInjector {
 public:
  using Clock = std::chrono::steady_clock;

  // `mean_gap` is the average quiet time between two episodes.
  FaultInjector(test::FaultProxy& proxy, unsigned seed, std::chrono::seconds mean_gap);

  // Starts or ends an episode when its time has come; call it often.
  void tick(Clock::time_point now);
  // Ends the current episode (if any) and injects no more: the server is up and answers well.
  void stop();

  // Episodes started, by kind.
  const std::array<int, fault_kinds>& episodes() const { return episodes_; }
  // Connections the proxy actually faulted (answered with an error, reset or stalled).
  int connections_faulted() const { return proxy_.faults_injected(); }
  // Seconds the server was unreachable in total.
  double seconds_down() const { return seconds_down_; }

 private:
  void start_episode(Clock::time_point now);
  void end_episode(Clock::time_point now);

  test::FaultProxy& proxy_;
  std::mt19937 random_;
  std::chrono::seconds mean_gap_;
  bool active_ = false;
  bool stopped_ = false;
  FaultKind current_ = FaultKind::storm_500;
  Clock::time_point episode_start_;
  Clock::time_point next_change_;
  std::array<int, fault_kinds> episodes_{};
  double seconds_down_ = 0;
};

}  // namespace pindeck::soak
