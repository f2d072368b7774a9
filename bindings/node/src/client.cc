// SPDX-License-Identifier: Apache-2.0
#include "client.h"

#include <memory>
#include <string>
#include <utility>

#include "args.h"

namespace pindeck_node {

namespace {

// Hands one event's JSON to lib/index.js's dispatcher on the JavaScript thread.
void deliver_event(Napi::Env env, Napi::Function dispatch, std::nullptr_t*, std::string* data) {
  std::unique_ptr<std::string> json(data);
  if (env != nullptr) dispatch.Call({Napi::String::New(env, *json)});
}

using EventSink = Napi::TypedThreadSafeFunction<std::nullptr_t, std::string, deliver_event>;

// Runs on a library thread, which must not wait: the queue is unbounded.
void on_event(void* user, const char* event_json) {
  auto* sink = static_cast<EventSink*>(user);
  auto* json = new std::string(event_json);
  if (sink->NonBlockingCall(json) != napi_ok) delete json;
}

}  // namespace

struct NativeClient::Subscription {
  EventSink sink;
  uint64_t id = 0;
};

Napi::Function NativeClient::define(Napi::Env env) {
  return DefineClass(
      env, "NativeClient",
      {
          InstanceMethod<&NativeClient::open>("open"),
          InstanceMethod<&NativeClient::close>("close"),
          InstanceMethod<&NativeClient::start_persistence>("startPersistence"),
          InstanceMethod<&NativeClient::upload_file>("uploadFile"),
          InstanceMethod<&NativeClient::upload_bytes>("uploadBytes"),
          InstanceMethod<&NativeClient::wait_persisted>("waitPersisted"),
          InstanceMethod<&NativeClient::get>("get"),
          InstanceMethod<&NativeClient::list>("list"),
          InstanceMethod<&NativeClient::search>("search"),
          InstanceMethod<&NativeClient::update>("update"),
          InstanceMethod<&NativeClient::remove>("delete"),
          InstanceMethod<&NativeClient::remove_many>("deleteMany"),
          InstanceMethod<&NativeClient::backfill>("backfill"),
          InstanceMethod<&NativeClient::queue_counts>("queueCounts"),
          InstanceMethod<&NativeClient::worker_counts>("workerCounts"),
          InstanceMethod<&NativeClient::set_fetch_settings>("setFetchSettings"),
          InstanceMethod<&NativeClient::ingest_url>("ingestUrl"),
          InstanceMethod<&NativeClient::ingest_discord_message>("ingestDiscordMessage"),
          InstanceMethod<&NativeClient::ingest_pinterest_pin>("ingestPinterestPin"),
          InstanceMethod<&NativeClient::ingest_pinterest_feed>("ingestPinterestFeed"),
          InstanceMethod<&NativeClient::register_variation>("registerVariation"),
          InstanceMethod<&NativeClient::approve>("approve"),
          InstanceMethod<&NativeClient::reject>("reject"),
          InstanceMethod<&NativeClient::subscribe>("subscribe"),
          InstanceMethod<&NativeClient::unsubscribe>("unsubscribe"),
      });
}

NativeClient::NativeClient(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeClient>(info) {}

NativeClient::~NativeClient() {
  drop_subscription();
  if (client_ != nullptr && !closed_) pd_client_close(client_);
}

pd_client* NativeClient::handle(Napi::Env env) const {
  if (client_ == nullptr) throw_misuse(env, "the client is not open");
  return client_;
}

Napi::Promise NativeClient::on_pool(std::function<Outcome()> work) {
  ++busy_;
  return run_on_pool(Value(), std::move(work), [this] {
    if (--busy_ == 0 && closing_ && !closed_) close_now();
  });
}

Napi::Value NativeClient::open(const Napi::CallbackInfo& info) {
  if (client_ != nullptr) throw_misuse(info.Env(), "the client is already open");
  auto opened = std::make_shared<pd_client*>(nullptr);
  return run_on_pool(
      Value(),
      [dir = string_arg(info, 0, "dataDir"), opened] {
        return json_outcome(pd_client_open(dir.c_str(), opened.get()), nullptr);
      },
      [this, opened] { client_ = *opened; });
}

void NativeClient::drop_subscription() {
  if (subscription_ == nullptr) return;
  // After pd_events_unsubscribe returns the library no longer calls on_event; events already
  // queued are still delivered before the sink goes.
  pd_events_unsubscribe(client_, subscription_->id);
  subscription_->sink.Release();
  delete subscription_;
  subscription_ = nullptr;
}

void NativeClient::close_now() {
  drop_subscription();
  closed_ = true;
  auto waiters = std::move(close_waiters_);
  run_on_pool(
      Value(),
      [client = client_] {
        pd_client_close(client);
        return Outcome{};
      },
      [waiters = std::move(waiters), env = Env()]() mutable {
        for (auto& waiter : waiters) waiter.Resolve(env.Null());
      });
}

Napi::Value NativeClient::close(const Napi::CallbackInfo& info) {
  auto deferred = Napi::Promise::Deferred::New(info.Env());
  const Napi::Promise promise = deferred.Promise();
  if (client_ == nullptr || closed_) {
    deferred.Resolve(info.Env().Null());
    return promise;
  }
  close_waiters_.push_back(std::move(deferred));
  closing_ = true;
  if (busy_ == 0) close_now();
  return promise;
}

Napi::Value NativeClient::start_persistence(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), config = optional_string_arg(info, 0, "config")] {
    return json_outcome(pd_persistence_start(client, c_str(config)), nullptr);
  });
}

Napi::Value NativeClient::upload_file(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const std::string path = string_arg(info, 0, "path");
  const auto metadata = optional_string_arg(info, 1, "metadata");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_upload_file_async(client, path.c_str(), c_str(metadata), callback, user);
  });
}

Napi::Value NativeClient::upload_bytes(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const ByteView bytes = byte_view_arg(info, 0, "data");
  const auto file_name = optional_string_arg(info, 1, "fileName");
  const auto metadata = optional_string_arg(info, 2, "metadata");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_upload_bytes_async(client, bytes.data, bytes.size, c_str(file_name), c_str(metadata),
                                 callback, user);
  });
}

Napi::Value NativeClient::wait_persisted(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const std::string id = string_arg(info, 0, "id");
  const int64_t timeout_ms = integer_arg(info, 1, "timeoutMs");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_wait_persisted_async(client, id.c_str(), timeout_ms, callback, user);
  });
}

// A read by primary key takes microseconds and never waits for a writer (the catalog is in WAL
// mode), while a trip through the libuv pool costs some 80 µs: get runs here and now.
Napi::Value NativeClient::get(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const std::string id = string_arg(info, 0, "id");
  char* out = nullptr;
  const int status = pd_record_get(client, id.c_str(), &out);
  return settled_now(info.Env(), json_outcome(status, &out));
}

Napi::Value NativeClient::list(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), query = optional_string_arg(info, 0, "query")] {
    char* out = nullptr;
    return json_outcome(pd_record_list(client, c_str(query), &out), &out);
  });
}

Napi::Value NativeClient::search(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), text = string_arg(info, 0, "text"),
                  query = optional_string_arg(info, 1, "query")] {
    char* out = nullptr;
    return json_outcome(pd_record_search(client, text.c_str(), c_str(query), &out), &out);
  });
}

Napi::Value NativeClient::update(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), id = string_arg(info, 0, "id"),
                  patch = string_arg(info, 1, "patch")] {
    char* out = nullptr;
    return json_outcome(pd_record_update(client, id.c_str(), patch.c_str(), &out), &out);
  });
}

Napi::Value NativeClient::remove(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), id = string_arg(info, 0, "id")] {
    return json_outcome(pd_record_delete(client, id.c_str()), nullptr);
  });
}

Napi::Value NativeClient::remove_many(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), request = string_arg(info, 0, "request")] {
    char* out = nullptr;
    return json_outcome(pd_records_delete(client, request.c_str(), &out), &out);
  });
}

Napi::Value NativeClient::backfill(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), limit = integer_arg(info, 0, "limit"),
                  flags = integer_arg(info, 1, "flags")] {
    int count = 0;
    // An int limit out of range is refused by the library, so clamp rather than wrap.
    const int c_limit = limit > 1000000 ? 1000000 : (limit < -1 ? -1 : static_cast<int>(limit));
    Outcome outcome = json_outcome(
        pd_backfill_ex(client, c_limit, static_cast<unsigned int>(flags), &count), nullptr);
    if (outcome.status == PD_OK) outcome.json = std::to_string(count);
    return outcome;
  });
}

// One aggregate over the job table, as quick as get(): answered on the JavaScript thread.
Napi::Value NativeClient::queue_counts(const Napi::CallbackInfo& info) {
  char* out = nullptr;
  const int status = pd_queue_counts(handle(info.Env()), &out);
  return settled_now(info.Env(), json_outcome(status, &out));
}

// Reads a few numbers in memory.
Napi::Value NativeClient::worker_counts(const Napi::CallbackInfo& info) {
  char* out = nullptr;
  const int status = pd_worker_counts(handle(info.Env()), &out);
  return settled_now(info.Env(), json_outcome(status, &out));
}

// Only sets a few numbers in memory: no reason to leave the JavaScript thread.
Napi::Value NativeClient::set_fetch_settings(const Napi::CallbackInfo& info) {
  const std::string settings = string_arg(info, 0, "settings");
  const int status = pd_fetch_settings_set(handle(info.Env()), settings.c_str());
  if (status != PD_OK) throw_failure(info.Env(), status);
  return info.Env().Undefined();
}

Napi::Value NativeClient::ingest_url(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const std::string url = string_arg(info, 0, "url");
  const auto metadata = optional_string_arg(info, 1, "metadata");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_ingest_url_async(client, url.c_str(), c_str(metadata), callback, user);
  });
}

Napi::Value NativeClient::ingest_discord_message(const Napi::CallbackInfo& info) {
  pd_client* client = handle(info.Env());
  const std::string message = string_arg(info, 0, "message");
  const auto options = optional_string_arg(info, 1, "options");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_ingest_discord_message_async(client, message.c_str(), c_str(options), callback, user);
  });
}

Napi::Value NativeClient::ingest_pinterest_pin(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), pin = string_arg(info, 0, "pin")] {
    char* out = nullptr;
    return json_outcome(pd_ingest_pinterest_pin(client, pin.c_str(), &out), &out);
  });
}

Napi::Value NativeClient::ingest_pinterest_feed(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), feed = string_arg(info, 0, "feed"),
                  board = optional_string_arg(info, 1, "board")] {
    char* out = nullptr;
    return json_outcome(pd_ingest_pinterest_feed(client, feed.c_str(), c_str(board), &out), &out);
  });
}

Napi::Value NativeClient::register_variation(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), parent_id = string_arg(info, 0, "parentId"),
                  image = string_arg(info, 1, "image"),
                  metadata = optional_string_arg(info, 2, "metadata")] {
    char* out = nullptr;
    return json_outcome(
        pd_register_variation(client, parent_id.c_str(), image.c_str(), c_str(metadata), &out),
        &out);
  });
}

Napi::Value NativeClient::approve(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), ids = string_arg(info, 0, "ids")] {
    char* out = nullptr;
    return json_outcome(pd_approve(client, ids.c_str(), &out), &out);
  });
}

Napi::Value NativeClient::reject(const Napi::CallbackInfo& info) {
  return on_pool([client = handle(info.Env()), ids = string_arg(info, 0, "ids")] {
    char* out = nullptr;
    return json_outcome(pd_reject(client, ids.c_str(), &out), &out);
  });
}

// Events go to `dispatch(eventJson)`. The subscription does not keep Node running: like a
// listener, it waits for whatever else does (a pending call, a server, a timer).
Napi::Value NativeClient::subscribe(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  pd_client* client = handle(env);
  if (subscription_ != nullptr) return env.Undefined();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "dispatch must be a function");
  auto subscription = std::make_unique<Subscription>();
  subscription->sink = EventSink::New(env, info[0].As<Napi::Function>(), "pindeck.events", 0, 1);
  subscription->sink.Unref(env);
  const int status = pd_events_subscribe(client, on_event, &subscription->sink, &subscription->id);
  if (status != PD_OK) {
    const Failure failure = capture_failure(status);
    subscription->sink.Release();
    throw Napi::Error(env, make_error(env, failure));
  }
  subscription_ = subscription.release();
  return env.Undefined();
}

Napi::Value NativeClient::unsubscribe(const Napi::CallbackInfo& info) {
  drop_subscription();
  return info.Env().Undefined();
}

}  // namespace pindeck_node
