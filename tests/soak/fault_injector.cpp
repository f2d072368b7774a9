// SPDX-License-Identifier: Apache-2.0
#include "fault_injector.hpp"

namespace pindeck::soak {

using namespace std::chrono_literals;

const char* fault_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::storm_500: return "500 storm";
    case FaultKind::storm_503: return "503 storm";
    case FaultKind::reset_mid_request: return "reset mid request body";
    case FaultKind::reset_mid_response: return "reset mid response";
    case FaultKind::stall: return "stalled connection";
    case FaultKind::down: return "server down";
  }
  return "?";
}

FaultInjector::FaultInjector(test::FaultProxy& proxy, unsigned seed, std::chrono::seconds mean_gap)
    : proxy_(proxy), random_(seed), mean_gap_(mean_gap) {
  next_change_ = Clock::now() + mean_gap_;
}

void FaultInjector::tick(Clock::time_point now) {
  if (stopped_ || now < next_change_) return;
  if (active_) {
    end_episode(now);
  } else {
    start_episode(now);
  }
}

void FaultInjector::stop() {
  if (active_) end_episode(Clock::now());
  stopped_ = true;
}

void FaultInjector::start_episode(Clock::time_point now) {
  current_ = static_cast<FaultKind>(random_() % fault_kinds);
  ++episodes_[static_cast<int>(current_)];
  active_ = true;
  episode_start_ = now;
  // Faults meet the first request of a new connection: cut the open ones (the client reconnects)
  // and allow one request per connection while the episode lasts.
  proxy_.set_keep_alive(false);
  proxy_.take_down();
  if (current_ != FaultKind::down) proxy_.bring_up();
  auto duration = std::chrono::seconds(3 + random_() % 13);
  test::Fault fault;
  switch (current_) {
    case FaultKind::storm_500:
      fault.status = 500;
      fault.s3_code = "InternalError";
      fault.sticky = true;
      proxy_.add_fault(fault);
      break;
    case FaultKind::storm_503:
      fault.status = 503;
      fault.s3_code = "SlowDown";
      fault.sticky = true;
      proxy_.add_fault(fault);
      break;
    case FaultKind::reset_mid_request:
      fault.kind = test::Fault::Kind::reset_request;
      fault.method = "PUT";
      for (unsigned i = 0, n = 1 + random_() % 3; i < n; ++i) proxy_.add_fault(fault);
      break;
    case FaultKind::reset_mid_response:
      fault.kind = test::Fault::Kind::reset_response;
      fault.after_bytes = 1 + random_() % 200;
      for (unsigned i = 0, n = 1 + random_() % 3; i < n; ++i) proxy_.add_fault(fault);
      break;
    case FaultKind::stall:
      // Past 30 s the client's low-speed limit gives up on the connection; shorter stalls end
      // with the proxy closing it.
      fault.kind =
          random_() % 2 == 0 ? test::Fault::Kind::stall_request : test::Fault::Kind::stall_response;
      fault.method = "PUT";
      fault.after_bytes = 50;
      fault.stall = std::chrono::milliseconds(5000 + random_() % 35000);
      proxy_.add_fault(fault);
      duration = std::chrono::duration_cast<std::chrono::seconds>(fault.stall) + 5s;
      break;
    case FaultKind::down: duration = std::chrono::seconds(5 + random_() % 26); break;
  }
  next_change_ = now + duration;
}

void FaultInjector::end_episode(Clock::time_point now) {
  proxy_.clear_faults();
  if (current_ == FaultKind::down) {
    proxy_.bring_up();
    seconds_down_ += std::chrono::duration<double>(now - episode_start_).count();
  }
  proxy_.set_keep_alive(true);
  active_ = false;
  std::exponential_distribution<double> gap(1.0 / static_cast<double>(mean_gap_.count()));
  next_change_ = now + std::chrono::milliseconds(static_cast<long>(1000 * (1 + gap(random_))));
}

}  // namespace pindeck::soak
