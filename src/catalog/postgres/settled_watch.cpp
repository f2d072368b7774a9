// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/settled_watch.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "catalog/postgres/connection.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// How often the listening thread looks at its stop flag while no notice comes.
constexpr std::chrono::milliseconds stop_check{100};
// How long it waits before connecting again after the server went away.
constexpr std::chrono::seconds reconnect_delay{1};

std::unique_ptr<Connection> listening_connection(const std::string& url) {
  auto connection = Connection::open(url);
  connection->listen(settled_channel);
  return connection;
}

class NotificationWatch final : public SettledWatch {
 public:
  NotificationWatch(std::string url, std::function<void(std::string_view)> settled)
      : url_(std::move(url)),
        settled_(std::move(settled)),
        connection_(listening_connection(url_)),
        thread_([this] { listen(); }) {}

  ~NotificationWatch() override {
    stop_ = true;
    thread_.join();
  }

 private:
  void listen() {
    while (!stop_) {
      try {
        if (!connection_) connection_ = listening_connection(url_);
        for (const auto& notice : connection_->wait_for_notifications(stop_check)) {
          settled_(notice.payload);
        }
      } catch (const Error&) {
        connection_.reset();
        const auto until = std::chrono::steady_clock::now() + reconnect_delay;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(stop_check);
        }
      }
    }
  }

  const std::string url_;
  const std::function<void(std::string_view)> settled_;
  std::unique_ptr<Connection> connection_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

void announce_settled(Connection& db, std::string_view record_id) {
  db.exec("SELECT pg_notify($1, $2)", {settled_channel, record_id});
}

std::unique_ptr<SettledWatch> watch_settled(const std::string& url,
                                            std::function<void(std::string_view)> settled) {
  return std::make_unique<NotificationWatch>(url, std::move(settled));
}

}  // namespace pindeck::catalog::postgres
