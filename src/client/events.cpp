// SPDX-License-Identifier: Apache-2.0
// Client::subscribe and Subscription: a host's handle on the client's persistence events
// (pipeline/persistence_events.hpp delivers them).
#include <utility>

#include "client/client_impl.hpp"
#include "pindeck/client.hpp"

namespace pindeck {

// Weak: a Subscription may outlive its client, and then unsubscribes from nothing.
struct Subscription::State {
  std::weak_ptr<pipeline::PersistenceEvents> hub;
  std::uint64_t id = 0;
};

Subscription::Subscription() noexcept = default;
Subscription::Subscription(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Subscription::Subscription(Subscription&&) noexcept = default;

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    unsubscribe();
    state_ = std::move(other.state_);
  }
  return *this;
}

Subscription::~Subscription() {
  unsubscribe();
}

void Subscription::unsubscribe() noexcept {
  if (!state_) return;
  if (const auto hub = state_->hub.lock()) hub->unsubscribe(state_->id);
  state_.reset();
}

bool Subscription::active() const noexcept {
  if (!state_) return false;
  const auto hub = state_->hub.lock();
  return hub && hub->subscribed(state_->id);
}

Subscription Client::subscribe(EventHandler handler) {
  if (!handler) throw Error(Errc::invalid, "subscribe: the event handler is empty");
  auto state = std::make_unique<Subscription::State>();
  state->hub = impl_->events;
  state->id = impl_->events->subscribe(std::move(handler));
  return Subscription(std::move(state));
}

}  // namespace pindeck
