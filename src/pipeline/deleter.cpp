// SPDX-License-Identifier: Apache-2.0
#include "pipeline/deleter.hpp"

#include <algorithm>
#include <map>

#include "pindeck/error.hpp"

namespace pindeck::pipeline {

namespace {

// Jobs claimed at once: their keys go out in one batch removal.
constexpr std::size_t jobs_per_batch = 100;

}  // namespace

Deleter::Deleter(catalog::DeleteJobs& jobs, ObjectStore& store, staging::Store& staging)
    : jobs_(jobs), store_(store), staging_(staging) {}

Deleter::~Deleter() {
  stop();
}

std::chrono::milliseconds Deleter::retry_delay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 6);
  return std::min(std::chrono::milliseconds(1000) * (1 << doublings),
                  std::chrono::milliseconds(std::chrono::minutes(1)));
}

std::size_t Deleter::run_due() {
  // One pass at a time: a caller that must see its jobs done before it returns (Client::remove)
  // waits for a pass of the thread that may have claimed them, instead of counting them as left.
  std::lock_guard pass(run_mutex_);
  std::size_t ended = 0;
  for (;;) {
    auto batch = jobs_.claim(store_.provider(), store_.bucket(), jobs_per_batch);
    if (batch.empty()) return ended;
    std::vector<std::string> keys;
    for (const auto& job : batch)
      keys.insert(keys.end(), job.object_keys.begin(), job.object_keys.end());
    std::map<std::string, std::string> failed;
    std::string batch_failure;
    try {
      for (auto& failure : store_.remove_many(keys)) failed.emplace(failure.key, failure.reason);
    } catch (const std::exception& e) {
      batch_failure = e.what();
    }
    for (const auto& job : batch) {
      std::string error = batch_failure;
      for (const auto& key : job.object_keys) {
        if (error.empty() && failed.contains(key)) {
          error = "removing " + key + " from bucket " + store_.bucket() + ": " + failed[key];
        }
      }
      if (error.empty() && job.staged_id) {
        try {
          staging_.remove(*job.staged_id);
        } catch (const std::exception& e) {
          error = "removing staged copy " + *job.staged_id + ": " + e.what();
        }
      }
      if (error.empty()) {
        if (jobs_.complete(job)) ++ended;
      } else {
        jobs_.retry_later(job, retry_delay(job.attempts), error);
        // After the job is written back, so that store_answered() cannot miss it.
        backing_off_ = true;
      }
    }
  }
}

void Deleter::start(std::chrono::milliseconds poll,
                    std::function<void(std::string_view)> on_error) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  on_error_ = std::move(on_error);
  stopping_ = false;
  thread_ = std::thread([this, poll] { loop(poll); });
}

void Deleter::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void Deleter::store_answered() {
  if (!backing_off_.exchange(false)) return;
  if (jobs_.retry_failed_now(store_.provider(), store_.bucket()) > 0) wake();
}

void Deleter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_cv_.notify_all();
  thread_.join();
}

void Deleter::loop(std::chrono::milliseconds poll) {
  for (;;) {
    auto delay = poll;
    try {
      run_due();
      if (const auto next = jobs_.next_claimable_at(store_.provider(), store_.bucket())) {
        const auto until =
            std::chrono::milliseconds(std::max<std::int64_t>(*next - jobs_.now(), 0));
        delay = std::min(delay, until + std::chrono::milliseconds(1));
      }
    } catch (const std::exception& e) {
      if (on_error_) on_error_(std::string("running delete jobs failed: ") + e.what());
    }
    std::unique_lock lock(mutex_);
    wake_cv_.wait_for(lock, delay, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace pindeck::pipeline
