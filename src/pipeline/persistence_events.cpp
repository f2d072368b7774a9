// SPDX-License-Identifier: Apache-2.0
#include "pipeline/persistence_events.hpp"

#include <exception>
#include <iterator>
#include <string>
#include <utility>

#include "pindeck/error.hpp"
#include "util/log.hpp"

namespace pindeck::pipeline {

PersistenceEvents::~PersistenceEvents() {
  close();
}

std::uint64_t PersistenceEvents::subscribe(EventHandler handler) {
  std::lock_guard lock(mutex_);
  if (closed_) throw Error(Errc::closed, "the client was closed: no more events can be subscribed");
  if (!deliverer_.joinable()) {
    // The thread keeps the hub alive, so that a handler may close the client it listens to.
    deliverer_ = std::thread([self = shared_from_this()] { self->deliver_loop(); });
    deliverer_id_ = deliverer_.get_id();
  }
  const auto id = next_subscriber_++;
  subscribers_.emplace(id, std::make_shared<const EventHandler>(std::move(handler)));
  wanted_.store(true, std::memory_order_relaxed);
  return id;
}

bool PersistenceEvents::unsubscribe(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  const bool removed = subscribers_.erase(id) > 0;
  wanted_.store(!subscribers_.empty(), std::memory_order_relaxed);
  if (std::this_thread::get_id() != deliverer_id_) {
    changed_.wait(lock, [&] { return delivering_to_ != id; });
  }
  return removed;
}

bool PersistenceEvents::subscribed(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  return subscribers_.contains(id);
}

void PersistenceEvents::emit(PersistenceEvent event) {
  if (!wanted()) return;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    queue_.push_back({next_ticket_, std::move(event)});
  }
  changed_.notify_all();
}

PersistenceEvents::Announcement PersistenceEvents::announce() {
  if (!wanted()) return Announcement(nullptr, 0);
  std::lock_guard lock(mutex_);
  const auto ticket = next_ticket_++;
  open_tickets_.insert(ticket);
  return Announcement(this, ticket);
}

PersistenceEvents::Announcement::~Announcement() {
  if (hub_ != nullptr) hub_->end_announcement(ticket_, {});
}

void PersistenceEvents::Announcement::pending(const Record& record) {
  pending(std::span<const Record>(&record, 1));
}

void PersistenceEvents::Announcement::pending(std::span<const Record> records) {
  if (hub_ == nullptr) return;
  std::vector<PersistenceEvent> events;
  events.reserve(records.size());
  for (const auto& record : records)
    events.emplace_back(PersistStatusEvent{record.id, PersistStatus::pending, {}, record});
  std::exchange(hub_, nullptr)->end_announcement(ticket_, std::move(events));
}

void PersistenceEvents::end_announcement(std::uint64_t ticket,
                                         std::vector<PersistenceEvent> pending) {
  {
    std::lock_guard lock(mutex_);
    open_tickets_.erase(ticket);
    if (!closed_) {
      // Before everything emitted after the announcement began, which this ticket held back.
      auto at = queue_.begin();
      while (at != queue_.end() && at->first_open_ticket_allowed <= ticket) ++at;
      for (auto& event : pending)
        at = std::next(queue_.insert(at, Queued{ticket, std::move(event)}));
    }
  }
  changed_.notify_all();
}

bool PersistenceEvents::front_deliverable() const {
  if (queue_.empty()) return false;
  return open_tickets_.empty() ||
         *open_tickets_.begin() >= queue_.front().first_open_ticket_allowed;
}

void PersistenceEvents::deliver_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return closed_ || front_deliverable(); });
    if (closed_) return;
    const PersistenceEvent event = std::move(queue_.front().event);
    queue_.pop_front();
    // Subscribers in the order they came; one that unsubscribes meanwhile is skipped, one that
    // subscribes meanwhile gets the event when it sorts after the one being called.
    for (auto next = subscribers_.begin(); next != subscribers_.end() && !closed_;) {
      const auto id = next->first;
      const auto handler = next->second;
      delivering_to_ = id;
      lock.unlock();
      try {
        (*handler)(event);
      } catch (const std::exception& e) {
        util::log(LogLevel::warning,
                  std::string("a persistence event handler threw, ignored: ") + e.what());
      } catch (...) {
        util::log(LogLevel::warning, "a persistence event handler threw, ignored");
      }
      lock.lock();
      delivering_to_ = 0;
      changed_.notify_all();
      next = subscribers_.upper_bound(id);
    }
  }
}

void PersistenceEvents::close() {
  std::thread deliverer;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    subscribers_.clear();
    queue_.clear();
    wanted_.store(false, std::memory_order_relaxed);
    deliverer = std::move(deliverer_);
  }
  changed_.notify_all();
  if (!deliverer.joinable()) return;
  if (std::this_thread::get_id() == deliverer.get_id()) {
    // A handler closes its client: its call ends after this returns, and the thread then ends on
    // its own, holding the hub until it does.
    deliverer.detach();
  } else {
    deliverer.join();
  }
}

}  // namespace pindeck::pipeline
