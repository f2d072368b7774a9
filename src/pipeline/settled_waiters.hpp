// SPDX-License-Identifier: Apache-2.0
// Waits for records to settle (storagePersistStatus no longer pending) without holding a thread.
// Each wait is a timer on an event loop; the pipeline's own "settled" event for its record ends it
// early, and one slow poll shared by every wait catches records that another process settled.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pindeck/record.hpp"

namespace pindeck::pipeline {

class SettledWaiters {
 public:
  // Reads a record as it is now (throws Errc::not_found when it is gone).
  using Load = std::function<Record(std::string_view id)>;
  // Receives the record (settled, or still pending when the timeout passed) or the failure. Runs
  // on the event loop: it must not block.
  using Done = std::function<void(std::exception_ptr, Record)>;

  // `events` must run on one thread, until close() has returned.
  SettledWaiters(boost::asio::any_io_executor events, Load load,
                 std::chrono::milliseconds poll_interval);
  SettledWaiters(const SettledWaiters&) = delete;
  SettledWaiters& operator=(const SettledWaiters&) = delete;

  // Completes `done` once the record has settled or `timeout` has passed. From any thread.
  void wait(std::string id, std::chrono::milliseconds timeout, Done done);
  // The record may have settled: checks the waits for it. From any thread.
  void notify(std::string id);
  // Completes every wait with Errc::closed and refuses later ones. From any thread but the event
  // loop's; returns when they have been completed.
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace pindeck::pipeline
