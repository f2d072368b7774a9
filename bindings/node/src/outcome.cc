// SPDX-License-Identifier: Apache-2.0
#include "outcome.h"

#include <memory>
#include <utility>

#include "addon_data.h"

namespace pindeck_node {

Failure capture_failure(int status) {
  return Failure{status, pd_last_error(), pd_last_error_details()};
}

Outcome json_outcome(int status, char** out_json) {
  Outcome outcome;
  outcome.status = status;
  char* json = out_json != nullptr ? *out_json : nullptr;
  if (status != PD_OK) {
    outcome.failure = capture_failure(status);
  } else if (json != nullptr) {
    outcome.json = json;
  }
  pd_string_free(json);
  return outcome;
}

Napi::Value make_error(Napi::Env env, const Failure& failure) {
  const Napi::FunctionReference& factory = addon_data(env).error_factory;
  return factory.Call({Napi::String::New(env, pd_status_name(failure.status)),
                       Napi::String::New(env, failure.message),
                       Napi::String::New(env, failure.details_json)});
}

void throw_failure(Napi::Env env, int status) {
  throw Napi::Error(env, make_error(env, capture_failure(status)));
}

void throw_misuse(Napi::Env env, const char* message) {
  throw Napi::Error(env, make_error(env, Failure{PD_ERR_MISUSE, message, "{}"}));
}

void settle(Napi::Env env, Napi::Promise::Deferred& deferred, const Outcome& outcome) {
  if (outcome.status != PD_OK) {
    deferred.Reject(make_error(env, outcome.failure));
  } else if (outcome.bytes) {
    deferred.Resolve(
        Napi::Buffer<unsigned char>::Copy(env, outcome.bytes->data(), outcome.bytes->size()));
  } else if (outcome.json) {
    deferred.Resolve(Napi::String::New(env, *outcome.json));
  } else {
    deferred.Resolve(env.Null());
  }
}

Napi::Promise settled_now(Napi::Env env, const Outcome& outcome) {
  auto deferred = Napi::Promise::Deferred::New(env);
  settle(env, deferred, outcome);
  return deferred.Promise();
}

namespace {

class PoolCall final : public Napi::AsyncWorker {
 public:
  PoolCall(Napi::Object owner, std::function<Outcome()> work, std::function<void()> on_done)
      : Napi::AsyncWorker(owner.Env(), "pindeck"),
        deferred_(Napi::Promise::Deferred::New(owner.Env())),
        owner_(Napi::Persistent(owner)),
        work_(std::move(work)),
        on_done_(std::move(on_done)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { outcome_ = work_(); }

  void OnOK() override {
    if (on_done_) on_done_();
    settle(Env(), deferred_, outcome_);
  }

  // Execute itself only fails when copying a result runs out of memory.
  void OnError(const Napi::Error& error) override {
    if (on_done_) on_done_();
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  std::function<Outcome()> work_;
  std::function<void()> on_done_;
  Outcome outcome_;
};

// The JavaScript side of one asynchronous C call, deleted on the JavaScript thread.
struct Waiting {
  Napi::Promise::Deferred deferred;
  Napi::ObjectReference owner;
};

void deliver(Napi::Env env, Napi::Function, Waiting* waiting, Outcome* data) {
  std::unique_ptr<Outcome> outcome(data);
  // A null env means Node is tearing the environment down: nobody is left to settle for.
  if (env != nullptr) settle(env, waiting->deferred, *outcome);
}

using Completion = Napi::TypedThreadSafeFunction<Waiting, Outcome, deliver>;

// The user pointer of one asynchronous C call: the thread-safe function its callback settles.
struct PendingCall {
  Completion completion;
};

// Called once, on a library thread (or on the JavaScript thread if the library completes at once).
void complete(void* user, Outcome* outcome) {
  auto* call = static_cast<PendingCall*>(user);
  // The queue is unbounded, so this never blocks the library's thread.
  if (call->completion.BlockingCall(outcome) != napi_ok) delete outcome;
  call->completion.Release();
  delete call;
}

void on_json(void* user, int status, const char* json, const char* error) {
  auto* outcome = new Outcome;
  outcome->status = status;
  if (status != PD_OK) {
    outcome->failure = capture_failure(status);
    if (outcome->failure.message.empty() && error != nullptr) outcome->failure.message = error;
  } else if (json != nullptr) {
    outcome->json = json;
  }
  complete(user, outcome);
}

void on_bytes(void* user, int status, const unsigned char* data, size_t size, const char* error) {
  auto* outcome = new Outcome;
  outcome->status = status;
  if (status != PD_OK) {
    outcome->failure = capture_failure(status);
    if (outcome->failure.message.empty() && error != nullptr) outcome->failure.message = error;
  } else {
    outcome->bytes.emplace(data, data + size);
  }
  complete(user, outcome);
}

template <typename Callback>
Napi::Promise start_call(Napi::Object owner, const std::function<int(Callback, void*)>& start,
                         Callback callback) {
  const Napi::Env env = owner.Env();
  auto* waiting = new Waiting{Napi::Promise::Deferred::New(env), Napi::Persistent(owner)};
  const Napi::Promise promise = waiting->deferred.Promise();
  auto* call = new PendingCall{Completion::New(
      env, "pindeck", 0, 1, waiting, [](Napi::Env, void*, Waiting* done) { delete done; })};
  const int status = start(callback, call);
  if (status != PD_OK) {
    // Refused before it started: the callback will never run.
    waiting->deferred.Reject(make_error(env, capture_failure(status)));
    call->completion.Release();
    delete call;
  }
  return promise;
}

}  // namespace

Napi::Promise run_on_pool(Napi::Object owner, std::function<Outcome()> work,
                          std::function<void()> on_done) {
  auto* worker = new PoolCall(owner, std::move(work), std::move(on_done));
  const Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Promise start_json_call(Napi::Object owner,
                              const std::function<int(pd_json_callback, void*)>& start) {
  return start_call<pd_json_callback>(owner, start, on_json);
}

Napi::Promise start_bytes_call(Napi::Object owner,
                               const std::function<int(pd_bytes_callback, void*)>& start) {
  return start_call<pd_bytes_callback>(owner, start, on_bytes);
}

}  // namespace pindeck_node
