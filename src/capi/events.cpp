// SPDX-License-Identifier: Apache-2.0
// The C ABI's persistence events over Client::subscribe: each event as JSON, and subscriptions
// named by numbers a C host can keep.
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "model/enums.hpp"
#include "model/record_json.hpp"
#include "pindeck/client.hpp"

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::live_client;
using pindeck::capi::require_arg;

std::string event_json(const pindeck::PersistenceEvent& event) {
  return std::visit(
      [](const auto& e) {
        using Event = std::decay_t<decltype(e)>;
        json out;
        if constexpr (std::is_same_v<Event, pindeck::PersistStatusEvent>) {
          out = {{"type", "persistStatus"},
                 {"id", e.record_id},
                 {"status", pindeck::model::to_string(e.status)}};
          if (e.status == pindeck::PersistStatus::failed) out["error"] = e.error;
          out["record"] = pindeck::model::to_json(e.record);
        } else {
          out = {{"type", "uploadProgress"},
                 {"id", e.record_id},
                 {"key", e.key},
                 {"bytesSent", e.bytes_sent},
                 {"bytesTotal", e.bytes_total}};
        }
        return out.dump();
      },
      event);
}

// Every subscription made through the C ABI, by its number. An entry whose client closed stays
// until a later pd_events_subscribe sweeps it (pd_events_unsubscribe refuses a closed client).
struct Subscriptions {
  std::mutex mutex;
  std::uint64_t last_id = 0;
  struct Entry {
    pd_client* client;
    pindeck::Subscription subscription;
  };
  std::map<std::uint64_t, Entry> entries;
};

Subscriptions& subscriptions() {
  static auto* const instance = new Subscriptions;
  return *instance;
}

}  // namespace

extern "C" {

int pd_events_subscribe(pd_client* client, pd_event_fn fn, void* user, uint64_t* out_subscription) {
  return pindeck::capi::guard([&] {
    require_arg(out_subscription, "out_subscription");
    *out_subscription = 0;
    pindeck::Client& c = live_client(client);
    require_arg(reinterpret_cast<const void*>(fn), "fn");
    auto subscription = c.subscribe([fn, user](const pindeck::PersistenceEvent& event) {
      const std::string text = event_json(event);
      fn(user, text.c_str());
    });
    auto& all = subscriptions();
    std::map<std::uint64_t, Subscriptions::Entry> ended;
    {
      std::lock_guard lock(all.mutex);
      for (auto it = all.entries.begin(); it != all.entries.end();) {
        if (it->second.subscription.active()) {
          ++it;
        } else {
          ended.insert(all.entries.extract(it++));
        }
      }
      const auto id = ++all.last_id;
      all.entries.emplace(id, Subscriptions::Entry{client, std::move(subscription)});
      *out_subscription = id;
    }
  });
}

int pd_events_unsubscribe(pd_client* client, uint64_t subscription) {
  return pindeck::capi::guard([&] {
    live_client(client);
    auto& all = subscriptions();
    pindeck::Subscription ending;
    {
      std::lock_guard lock(all.mutex);
      const auto it = all.entries.find(subscription);
      if (it == all.entries.end() || it->second.client != client) {
        throw Error(Errc::not_found,
                    "no subscription " + std::to_string(subscription) + " on this client");
      }
      ending = std::move(it->second.subscription);
      all.entries.erase(it);
    }
    // Outside the lock: this waits for a running call of the function, which may itself
    // subscribe or unsubscribe.
    ending.unsubscribe();
  });
}

}  // extern "C"
