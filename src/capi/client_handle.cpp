// SPDX-License-Identifier: Apache-2.0
#include "capi/client_handle.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace pindeck::capi {

namespace {

// Every handle ever handed out. Never destroyed, so the handles stay valid (and reachable, for
// leak checkers) until the process ends, even for clients a host never closed.
struct HandleRegistry {
  std::mutex mutex;
  std::vector<std::unique_ptr<pd_client>> handles;
};

HandleRegistry& registry() {
  static auto* const instance = new HandleRegistry;
  return *instance;
}

}  // namespace

pd_client* new_client_handle(Client client) {
  auto owned = std::make_unique<Client>(std::move(client));
  auto handle = std::make_unique<pd_client>();
  handle->magic = client_handle_magic;
  handle->client.store(owned.get(), std::memory_order_release);
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.handles.push_back(std::move(handle));
  owned.release();
  return r.handles.back().get();
}

void close_client_handle(pd_client* handle) {
  if (handle->magic != client_handle_magic) {
    throw Error(Errc::misuse, "client: not a handle pd_client_open returned");
  }
  // exchange: of two closes racing, exactly one gets the client.
  std::unique_ptr<Client> client(handle->client.exchange(nullptr, std::memory_order_acq_rel));
  if (!client) throw Error(Errc::misuse, "client: pd_client_close called twice");
}

}  // namespace pindeck::capi
