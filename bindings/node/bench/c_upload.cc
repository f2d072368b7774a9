// SPDX-License-Identifier: Apache-2.0
// The C side of overhead.js's paired upload timing, inside the Node process: a client of its own
// whose upload is pd_upload_bytes_async waited for on a condition variable, exactly as
// benchmarks/capi's BM_UploadBytesAsync does. Timing it alternately with the addon's Promise
// upload puts both under the same moment's load, which separate processes on a shared machine
// never are. A benchmark aid only: it blocks the JavaScript thread while it waits.
#include <napi.h>

#include <condition_variable>
#include <mutex>
#include <string>

#include "pindeck/pindeck.h"

namespace {

struct Completion {
  std::mutex mutex;
  std::condition_variable done;
  bool called = false;
  int status = PD_OK;
  std::string error;
};

void on_done(void* user, int status, const char*, const char* error) {
  auto* completion = static_cast<Completion*>(user);
  const std::lock_guard lock(completion->mutex);
  completion->status = status;
  if (error != nullptr) completion->error = error;
  completion->called = true;
  completion->done.notify_one();
}

void check(const Napi::Env& env, int status) {
  if (status != PD_OK) throw Napi::Error::New(env, pd_last_error());
}

pd_client* client_of(const Napi::Value& value) {
  return value.As<Napi::External<pd_client>>().Data();
}

// open(dataDir, persistenceConfigJson) -> an External handle for upload() and close().
Napi::Value open(const Napi::CallbackInfo& info) {
  pd_client* client = nullptr;
  check(info.Env(), pd_client_open(info[0].As<Napi::String>().Utf8Value().c_str(), &client));
  if (pd_persistence_start(client, info[1].As<Napi::String>().Utf8Value().c_str()) != PD_OK) {
    const std::string message = pd_last_error();
    pd_client_close(client);
    throw Napi::Error::New(info.Env(), message);
  }
  return Napi::External<pd_client>::New(info.Env(), client);
}

// upload(handle, buffer, fileName): returns once the library's callback has run.
Napi::Value upload(const Napi::CallbackInfo& info) {
  const auto bytes = info[1].As<Napi::Buffer<char>>();
  const std::string file_name = info[2].As<Napi::String>().Utf8Value();
  Completion completion;
  check(info.Env(), pd_upload_bytes_async(client_of(info[0]), bytes.Data(), bytes.Length(),
                                          file_name.c_str(), nullptr, on_done, &completion));
  std::unique_lock lock(completion.mutex);
  completion.done.wait(lock, [&] { return completion.called; });
  if (completion.status != PD_OK) throw Napi::Error::New(info.Env(), completion.error);
  return info.Env().Undefined();
}

Napi::Value close(const Napi::CallbackInfo& info) {
  pd_client_close(client_of(info[0]));
  return info.Env().Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports["open"] = Napi::Function::New<open>(env, "open");
  exports["upload"] = Napi::Function::New<upload>(env, "upload");
  exports["close"] = Napi::Function::New<close>(env, "close");
  return exports;
}

}  // namespace

NODE_API_MODULE(c_upload, init)
