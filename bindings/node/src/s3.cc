// SPDX-License-Identifier: Apache-2.0
#include "s3.h"

#include <string>

#include "args.h"
#include "outcome.h"

namespace pindeck_node {

Napi::Function NativeS3::define(Napi::Env env) {
  return DefineClass(env, "NativeS3",
                     {
                         InstanceMethod<&NativeS3::put_file>("putFile"),
                         InstanceMethod<&NativeS3::put_bytes>("putBytes"),
                         InstanceMethod<&NativeS3::get_bytes>("get"),
                         InstanceMethod<&NativeS3::get_file>("getToFile"),
                         InstanceMethod<&NativeS3::head>("head"),
                         InstanceMethod<&NativeS3::remove>("delete"),
                         InstanceMethod<&NativeS3::remove_many>("deleteMany"),
                         InstanceMethod<&NativeS3::list>("list"),
                         InstanceMethod<&NativeS3::presign>("presign"),
                         InstanceMethod<&NativeS3::close>("close"),
                     });
}

NativeS3::NativeS3(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeS3>(info) {
  const auto config = optional_string_arg(info, 0, "config");
  const int status = pd_s3_open(c_str(config), &s3_);
  if (status != PD_OK) throw_failure(info.Env(), status);
}

NativeS3::~NativeS3() {
  pd_s3_close(s3_);
}

pd_s3* NativeS3::handle(Napi::Env env) const {
  if (s3_ == nullptr) throw_misuse(env, "the S3 client is closed");
  return s3_;
}

Napi::Value NativeS3::put_file(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  const std::string path = string_arg(info, 1, "path");
  const auto options = optional_string_arg(info, 2, "options");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_put_file_async(s3, key.c_str(), path.c_str(), c_str(options), callback, user);
  });
}

Napi::Value NativeS3::put_bytes(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  const ByteView bytes = byte_view_arg(info, 1, "data");
  const auto options = optional_string_arg(info, 2, "options");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_put_bytes_async(s3, key.c_str(), bytes.data, bytes.size, c_str(options), callback,
                                 user);
  });
}

Napi::Value NativeS3::get_bytes(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  return start_bytes_call(Value(), [&](pd_bytes_callback callback, void* user) {
    return pd_s3_get_bytes_async(s3, key.c_str(), callback, user);
  });
}

Napi::Value NativeS3::get_file(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  const std::string path = string_arg(info, 1, "path");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_get_file_async(s3, key.c_str(), path.c_str(), callback, user);
  });
}

Napi::Value NativeS3::head(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_head_async(s3, key.c_str(), callback, user);
  });
}

Napi::Value NativeS3::remove(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string key = string_arg(info, 0, "key");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_delete_async(s3, key.c_str(), callback, user);
  });
}

Napi::Value NativeS3::remove_many(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string keys = string_arg(info, 0, "keys");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_delete_many_async(s3, keys.c_str(), callback, user);
  });
}

Napi::Value NativeS3::list(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const auto options = optional_string_arg(info, 0, "options");
  return start_json_call(Value(), [&](pd_json_callback callback, void* user) {
    return pd_s3_list_async(s3, c_str(options), callback, user);
  });
}

// Signing is a few HMACs in memory: no reason to leave the JavaScript thread.
Napi::Value NativeS3::presign(const Napi::CallbackInfo& info) {
  pd_s3* s3 = handle(info.Env());
  const std::string method = string_arg(info, 0, "method");
  const std::string key = string_arg(info, 1, "key");
  const int64_t expires_seconds = integer_arg(info, 2, "expiresSeconds");
  char* url = nullptr;
  const int status = pd_s3_presign(s3, method.c_str(), key.c_str(), expires_seconds, &url);
  if (status != PD_OK) throw_failure(info.Env(), status);
  const Napi::String result = Napi::String::New(info.Env(), url);
  pd_string_free(url);
  return result;
}

// pd_s3_close waits for the calls in flight, so it runs on the pool; the handle is gone for
// JavaScript at once.
Napi::Value NativeS3::close(const Napi::CallbackInfo&) {
  pd_s3* s3 = s3_;
  s3_ = nullptr;
  return run_on_pool(Value(), [s3] {
    pd_s3_close(s3);
    return Outcome{};
  });
}

}  // namespace pindeck_node
