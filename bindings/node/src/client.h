// SPDX-License-Identifier: Apache-2.0
// The native side of Client (lib/index.js): one pd_client, its calls as Promises of JSON text, and
// its event subscription.
#ifndef PINDECK_NODE_CLIENT_H
#define PINDECK_NODE_CLIENT_H

#include <napi.h>

#include <cstdint>
#include <vector>

#include "outcome.h"
#include "pindeck/pindeck.h"

namespace pindeck_node {

class NativeClient final : public Napi::ObjectWrap<NativeClient> {
 public:
  static Napi::Function define(Napi::Env env);

  explicit NativeClient(const Napi::CallbackInfo& info);
  // A client the program never closed is closed when collected or when Node exits.
  ~NativeClient() override;

  NativeClient(const NativeClient&) = delete;
  NativeClient& operator=(const NativeClient&) = delete;

 private:
  Napi::Value open(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);
  Napi::Value start_persistence(const Napi::CallbackInfo& info);
  Napi::Value upload_file(const Napi::CallbackInfo& info);
  Napi::Value upload_bytes(const Napi::CallbackInfo& info);
  Napi::Value wait_persisted(const Napi::CallbackInfo& info);
  Napi::Value get(const Napi::CallbackInfo& info);
  Napi::Value list(const Napi::CallbackInfo& info);
  Napi::Value search(const Napi::CallbackInfo& info);
  Napi::Value update(const Napi::CallbackInfo& info);
  Napi::Value remove(const Napi::CallbackInfo& info);
  Napi::Value remove_many(const Napi::CallbackInfo& info);
  Napi::Value backfill(const Napi::CallbackInfo& info);
  Napi::Value queue_counts(const Napi::CallbackInfo& info);
  Napi::Value worker_counts(const Napi::CallbackInfo& info);
  Napi::Value set_fetch_settings(const Napi::CallbackInfo& info);
  Napi::Value ingest_url(const Napi::CallbackInfo& info);
  Napi::Value ingest_discord_message(const Napi::CallbackInfo& info);
  Napi::Value ingest_pinterest_pin(const Napi::CallbackInfo& info);
  Napi::Value ingest_pinterest_feed(const Napi::CallbackInfo& info);
  Napi::Value register_variation(const Napi::CallbackInfo& info);
  Napi::Value approve(const Napi::CallbackInfo& info);
  Napi::Value reject(const Napi::CallbackInfo& info);
  Napi::Value subscribe(const Napi::CallbackInfo& info);
  Napi::Value unsubscribe(const Napi::CallbackInfo& info);

  // The opened client; throws when open() has not completed.
  pd_client* handle(Napi::Env env) const;
  // Runs a blocking C call on the pool, counted so that close() waits for it.
  Napi::Promise on_pool(std::function<Outcome()> work);
  void drop_subscription();
  void close_now();

  pd_client* client_ = nullptr;
  // Pool calls still using client_: pd_client_close must wait for them (pindeck.h).
  int busy_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  std::vector<Napi::Promise::Deferred> close_waiters_;
  struct Subscription;
  Subscription* subscription_ = nullptr;
};

}  // namespace pindeck_node

#endif
