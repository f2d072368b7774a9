// SPDX-License-Identifier: Apache-2.0
// Delivers a client's persistence events (pindeck/persistence.hpp) to its subscribers: the
// pipeline emits them from whatever thread it is on, and they queue here; one thread of this hub
// calls the subscribers, outside every lock, so a slow or re-entrant subscriber never holds up
// the pipeline nor deadlocks it.
//
// Order: events are delivered in the order they were emitted, except that an upload's pending
// event, which the uploading thread can only emit once its transaction committed, is delivered
// before everything emitted after that transaction began (see Announcement): otherwise a worker
// could settle the record before the uploading thread got round to saying it was pending.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "pindeck/persistence.hpp"

namespace pindeck::pipeline {

class PersistenceEvents : public std::enable_shared_from_this<PersistenceEvents> {
 public:
  PersistenceEvents() = default;
  // close()
  ~PersistenceEvents();
  PersistenceEvents(const PersistenceEvents&) = delete;
  PersistenceEvents& operator=(const PersistenceEvents&) = delete;

  // Adds a subscriber and returns its id (never 0). Starts the delivery thread on first use.
  // Errc::closed after close().
  std::uint64_t subscribe(EventHandler handler);
  // Removes a subscriber; once this returns its handler is not called again. Called from the
  // handler itself, it does not wait for that call to end. False when there is no such
  // subscriber (unsubscribed already, or closed).
  bool unsubscribe(std::uint64_t id);
  bool subscribed(std::uint64_t id);
  // Whether anyone listens: lets the pipeline skip building events (and reading records) for none.
  bool wanted() const { return wanted_.load(std::memory_order_relaxed); }
  // Queues an event for every subscriber. Never blocks on a subscriber; dropped after close().
  void emit(PersistenceEvent event);

  // Holds back the events emitted from now on until pending() or the Announcement's end, so that
  // a record stored in between is announced pending before anything its workers report.
  class Announcement {
   public:
    Announcement(Announcement&& other) noexcept
        : hub_(std::exchange(other.hub_, nullptr)), ticket_(other.ticket_) {}
    Announcement(const Announcement&) = delete;
    Announcement& operator=(const Announcement&) = delete;
    Announcement& operator=(Announcement&&) = delete;
    ~Announcement();
    // Announces the record (as stored, pending), before the events held back.
    void pending(const Record& record);
    // Announces each record, in order, the same way (none: only ends the announcement).
    void pending(std::span<const Record> records);

   private:
    friend class PersistenceEvents;
    Announcement(PersistenceEvents* hub, std::uint64_t ticket) : hub_(hub), ticket_(ticket) {}
    PersistenceEvents* hub_;  // nothing when nobody listened
    std::uint64_t ticket_;
  };
  // Call before the transaction that stores a record; the hub must outlive the Announcement.
  Announcement announce();

  // Ends every subscription and drops queued events; returns once no handler runs (unless called
  // from a handler: then that call finishes after). Idempotent.
  void close();

 private:
  struct Queued {
    // Delivered only once every Announcement begun before it was emitted has ended.
    std::uint64_t first_open_ticket_allowed;
    PersistenceEvent event;
  };
  void deliver_loop();
  bool front_deliverable() const;
  void end_announcement(std::uint64_t ticket, std::vector<PersistenceEvent> pending);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool closed_ = false;
  std::atomic<bool> wanted_{false};
  std::uint64_t next_subscriber_ = 1;
  std::map<std::uint64_t, std::shared_ptr<const EventHandler>> subscribers_;
  std::uint64_t delivering_to_ = 0;  // the subscriber whose handler runs now; 0 for none
  std::uint64_t next_ticket_ = 0;
  std::set<std::uint64_t> open_tickets_;
  std::deque<Queued> queue_;
  std::thread deliverer_;
  std::thread::id deliverer_id_;
};

}  // namespace pindeck::pipeline
