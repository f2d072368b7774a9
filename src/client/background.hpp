// SPDX-License-Identifier: Apache-2.0
// The client's background threads: where the asynchronous forms of blocking calls (an upload's
// staging and probing, a backfill, a get) run. Waits for persistence do not come here; they hold
// no thread (pipeline/settled_waiters.hpp).
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>

namespace pindeck::client {

class Background {
 public:
  // Two threads: enough for a host's handful of concurrent uploads, while the persistence
  // workers keep the cores for decoding.
  static constexpr std::size_t default_threads = 2;

  explicit Background(std::size_t threads = default_threads) : pool_(threads) {}
  // close()
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Runs work(true) on a background thread; work(false) instead when the client closed before
  // the work could start, so that it can complete its operation with Errc::closed.
  void post(std::function<void(bool client_open)> work);

  // Work already running finishes; work not yet started runs with false. Returns when all of it
  // has ended. Idempotent.
  void close();

 private:
  std::atomic<bool> closing_{false};
  boost::asio::thread_pool pool_;
};

}  // namespace pindeck::client
