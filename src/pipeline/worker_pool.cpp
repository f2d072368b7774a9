// SPDX-License-Identifier: Apache-2.0
#include "pipeline/worker_pool.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "pindeck/error.hpp"
#include "util/memory.hpp"

namespace pindeck::pipeline {

namespace asio = boost::asio;

// Handlers capture a plain pointer: the State outlives every thread that runs them (stop()
// joins them before the State is destroyed).
struct WorkerPool::State {
  WorkerOptions options;
  WorkerHooks hooks;
  asio::io_context scheduler;
  asio::executor_work_guard<asio::io_context::executor_type> keep_alive{scheduler.get_executor()};
  asio::steady_timer wake_timer{scheduler};
  asio::steady_timer renew_timer{scheduler};
  asio::steady_timer idle_timer{scheduler};
  std::unique_ptr<asio::thread_pool> cpu;
  std::thread scheduler_thread;

  // Touched only on the scheduler thread.
  std::map<std::string, catalog::Job> running;
  std::size_t in_cpu_part = 0;
  bool stopping = false;

  // counts is read from other threads; finished_cv tells stop() that a job ended.
  mutable std::mutex mutex;
  std::condition_variable finished_cv;
  WorkerCounts counts;

  void report(std::string_view message) {
    if (hooks.on_error) hooks.on_error(message);
  }

  // Claims as many jobs as there is room for, then sleeps until there may be more.
  void fill() {
    if (stopping) return;
    try {
      while (has_room()) {
        auto job = hooks.claim();
        if (!job) break;
        start(std::move(*job));
      }
    } catch (const std::exception& e) {
      report(std::string("claiming a persist job failed: ") + e.what());
    }
    arm_wake_timer();
  }

  bool has_room() const {
    const auto cpu_limit = static_cast<std::size_t>(options.max_in_flight);
    const auto uploading_limit = static_cast<std::size_t>(options.max_uploading);
    return in_cpu_part < cpu_limit && running.size() < cpu_limit + uploading_limit;
  }

  void start(catalog::Job job) {
    running[job.record_id] = job;
    ++in_cpu_part;
    {
      std::lock_guard lock(mutex);
      ++counts.claimed;
      ++counts.in_flight;
    }
    asio::post(*cpu, [self = this, job = std::move(job)] {
      auto done = [self, id = job.record_id](JobOutcome outcome) {
        asio::post(self->scheduler, [self, id, outcome] { self->finished(id, outcome); });
      };
      try {
        self->hooks.start(job, done);
      } catch (const std::exception& e) {
        self->report("persist job " + job.record_id + " failed unexpectedly: " + e.what());
        done(JobOutcome::released);
      }
      asio::post(self->scheduler, [self] {
        --self->in_cpu_part;
        self->fill();
      });
    });
  }

  void finished(const std::string& record_id, JobOutcome outcome) {
    running.erase(record_id);
    {
      std::lock_guard lock(mutex);
      --counts.in_flight;
      switch (outcome) {
        case JobOutcome::succeeded: ++counts.succeeded; break;
        case JobOutcome::retried: ++counts.retried; break;
        case JobOutcome::failed: ++counts.failed; break;
        case JobOutcome::released: ++counts.released; break;
      }
    }
    finished_cv.notify_all();
    fill();
    if (running.empty()) arm_idle_timer();
  }

  // Re-arming cancels the previous wait, so a steady flow of jobs never pays for a release.
  void arm_idle_timer() {
    if (stopping) return;
    idle_timer.expires_after(options.idle_release_delay);
    idle_timer.async_wait([self = this](boost::system::error_code ec) {
      if (ec || self->stopping || !self->running.empty()) return;
      if (self->hooks.idle) {
        try {
          self->hooks.idle();
        } catch (const std::exception& e) {
          if (self->hooks.on_error) self->hooks.on_error(e.what());
        }
      }
      util::release_free_heap_memory();
      self->arm_late_release();
    });
  }

  // Shares the idle timer, so a job that ends first cancels it as it cancels the first release.
  void arm_late_release() {
    if (stopping || options.late_release_delay <= options.idle_release_delay) return;
    idle_timer.expires_after(options.late_release_delay - options.idle_release_delay);
    idle_timer.async_wait([self = this](boost::system::error_code ec) {
      if (ec || self->stopping || !self->running.empty()) return;
      util::release_free_heap_memory();
    });
  }

  void arm_wake_timer() {
    if (stopping) return;
    auto delay = options.poll_interval;
    if (has_room()) {
      try {
        if (const auto next = hooks.next_claimable_at()) {
          const auto until =
              std::chrono::milliseconds(std::max<std::int64_t>(*next - hooks.now(), 0));
          delay = std::min(delay, until + std::chrono::milliseconds(1));
        }
      } catch (const std::exception& e) {
        report(std::string("reading the persist queue failed: ") + e.what());
      }
    }
    wake_timer.expires_after(delay);
    wake_timer.async_wait([self = this](boost::system::error_code ec) {
      if (!ec) self->fill();
    });
  }

  void arm_renew_timer() {
    renew_timer.expires_after(options.renew_interval);
    renew_timer.async_wait([self = this](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      for (auto& [id, job] : self->running) {
        try {
          self->hooks.renew(job);
        } catch (const std::exception& e) {
          self->report("renewing the lease of " + id + " failed: " + e.what());
        }
      }
      self->arm_renew_timer();
    });
  }
};

WorkerPool::WorkerPool(WorkerOptions options, WorkerHooks hooks)
    : state_(std::make_unique<State>()) {
  if (options.max_in_flight < 1) {
    throw Error(Errc::invalid, "max_in_flight must be at least 1");
  }
  if (options.max_uploading < 0) {
    throw Error(Errc::invalid, "max_uploading must not be negative");
  }
  if (options.cpu_threads <= 0) {
    options.cpu_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  state_->options = options;
  state_->hooks = std::move(hooks);
  state_->cpu = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options.cpu_threads));
  asio::post(state_->scheduler, [s = state_.get()] {
    s->arm_renew_timer();
    s->fill();
  });
  state_->scheduler_thread = std::thread([s = state_.get()] { s->scheduler.run(); });
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::wake() {
  asio::post(state_->scheduler, [s = state_.get()] {
    s->wake_timer.cancel();
    s->fill();
  });
}

std::size_t WorkerPool::in_flight() const {
  std::lock_guard lock(state_->mutex);
  return static_cast<std::size_t>(state_->counts.in_flight);
}

WorkerCounts WorkerPool::counts() const {
  std::lock_guard lock(state_->mutex);
  return state_->counts;
}

void WorkerPool::stop() {
  if (!state_->scheduler_thread.joinable()) return;
  std::promise<void> stopped_claiming;
  asio::post(state_->scheduler, [s = state_.get(), &stopped_claiming] {
    s->stopping = true;
    s->wake_timer.cancel();
    s->renew_timer.cancel();
    s->idle_timer.cancel();
    stopped_claiming.set_value();
  });
  stopped_claiming.get_future().wait();
  {
    std::unique_lock lock(state_->mutex);
    state_->finished_cv.wait(lock, [&] { return state_->counts.in_flight == 0; });
  }
  state_->keep_alive.reset();
  state_->scheduler.stop();
  state_->scheduler_thread.join();
  state_->cpu->join();
}

}  // namespace pindeck::pipeline
