// SPDX-License-Identifier: Apache-2.0
#include "pipeline/settled_waiters.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <future>
#include <map>
#include <utility>

#include "pindeck/error.hpp"

namespace pindeck::pipeline {

namespace asio = boost::asio;

// Touched only on the event loop, so nothing in it needs a lock.
struct SettledWaiters::State : std::enable_shared_from_this<State> {
  struct Wait {
    std::string id;
    std::unique_ptr<asio::steady_timer> deadline;
    Done done;
  };

  State(asio::any_io_executor events_in, Load load_in, std::chrono::milliseconds poll_in)
      : events(std::move(events_in)),
        load(std::move(load_in)),
        poll_interval(poll_in),
        poll_timer(events) {}

  asio::any_io_executor events;
  Load load;
  std::chrono::milliseconds poll_interval;
  asio::steady_timer poll_timer;
  bool polling = false;
  bool closed = false;
  std::uint64_t next_key = 0;
  std::map<std::uint64_t, Wait> waits;

  void start(std::string id, std::chrono::milliseconds timeout, Done done) {
    if (closed) {
      done(std::make_exception_ptr(closed_error(id)), Record{});
      return;
    }
    const auto key = next_key++;
    auto& wait = waits[key];
    wait.id = std::move(id);
    wait.done = std::move(done);
    wait.deadline = std::make_unique<asio::steady_timer>(events, timeout);
    if (check(key, false)) return;
    wait.deadline->async_wait([self = shared_from_this(), key](boost::system::error_code ec) {
      if (!ec) self->check(key, true);
    });
    arm_poll();
  }

  // Ends the wait if its record has settled, or whatever the record is when `timed_out`.
  bool check(std::uint64_t key, bool timed_out) {
    const auto found = waits.find(key);
    if (found == waits.end()) return true;
    Record record;
    std::exception_ptr failure;
    try {
      record = load(found->second.id);
      if (record.storage_persist_status == PersistStatus::pending && !timed_out) return false;
    } catch (...) {
      failure = std::current_exception();
    }
    finish(found, failure, std::move(record));
    return true;
  }

  void finish(std::map<std::uint64_t, Wait>::iterator it, std::exception_ptr failure,
              Record record) {
    Wait wait = std::move(it->second);
    waits.erase(it);
    wait.deadline->cancel();
    wait.done(failure, std::move(record));
  }

  void check_all_for(const std::string& id) {
    std::vector<std::uint64_t> keys;
    for (const auto& [key, wait] : waits) {
      if (wait.id == id) keys.push_back(key);
    }
    for (auto key : keys) check(key, false);
  }

  // Another process may settle a record without this process hearing of it.
  void arm_poll() {
    if (polling || waits.empty()) return;
    polling = true;
    poll_timer.expires_after(poll_interval);
    poll_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->polling = false;
      if (ec || self->closed) return;
      std::vector<std::uint64_t> keys;
      for (const auto& entry : self->waits) keys.push_back(entry.first);
      for (auto key : keys) self->check(key, false);
      self->arm_poll();
    });
  }

  void close_all() {
    closed = true;
    poll_timer.cancel();
    while (!waits.empty()) {
      const auto it = waits.begin();
      const auto error = closed_error(it->second.id);
      finish(it, std::make_exception_ptr(error), Record{});
    }
  }

  static Error closed_error(const std::string& id) {
    return Error(Errc::closed, "the client was closed while waiting for record " + id);
  }
};

SettledWaiters::SettledWaiters(asio::any_io_executor events, Load load,
                               std::chrono::milliseconds poll_interval)
    : state_(std::make_shared<State>(std::move(events), std::move(load), poll_interval)) {}

void SettledWaiters::wait(std::string id, std::chrono::milliseconds timeout, Done done) {
  asio::post(state_->events,
             [state = state_, id = std::move(id), timeout, done = std::move(done)]() mutable {
               state->start(std::move(id), timeout, std::move(done));
             });
}

void SettledWaiters::notify(std::string id) {
  asio::post(state_->events, [state = state_, id = std::move(id)] { state->check_all_for(id); });
}

void SettledWaiters::close() {
  std::promise<void> closed;
  auto done = closed.get_future();
  asio::post(state_->events, [state = state_, &closed] {
    state->close_all();
    closed.set_value();
  });
  done.wait();
}

}  // namespace pindeck::pipeline
