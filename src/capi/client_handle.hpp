// SPDX-License-Identifier: Apache-2.0
// What a pd_client handle is, shared by the C ABI's files that take one.
//
// A freed pointer cannot be told from a live one, so handles are never freed: pd_client_open
// hands out a small handle the library keeps for the life of the process, and pd_client_close
// destroys the client behind it and leaves the handle marked closed. A handle is never reused,
// so a stale one can never reach another client. Every call then costs one atomic load to tell
// a closed client (PD_ERR_MISUSE) from a live one; a closed handle costs a few bytes until exit.
#pragma once

#include <atomic>
#include <cstdint>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

struct pd_client {
  // Set for the handle's whole life: a pointer that pd_client_open never returned is refused
  // when (by luck, not by design) its memory does not hold this value.
  std::uint32_t magic;
  std::atomic<pindeck::Client*> client;
};

namespace pindeck::capi {

inline constexpr std::uint32_t client_handle_magic = 0x7064636c;  // "pdcl"

// A new handle for `client`, owned by the library until the process ends.
pd_client* new_client_handle(Client client);

// Closes the client behind `handle`; Errc::misuse when it was already closed.
void close_client_handle(pd_client* handle);

// The client of a handle, or Errc::misuse naming why there is none (NULL is Errc::invalid).
inline Client& live_client(pd_client* handle) {
  if (handle == nullptr) throw Error(Errc::invalid, "client must not be NULL");
  if (handle->magic != client_handle_magic) {
    throw Error(Errc::misuse, "client: not a handle pd_client_open returned");
  }
  Client* client = handle->client.load(std::memory_order_acquire);
  if (client == nullptr) throw Error(Errc::misuse, "client: used after pd_client_close");
  return *client;
}

}  // namespace pindeck::capi
