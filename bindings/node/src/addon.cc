// SPDX-License-Identifier: Apache-2.0
// The pindeck addon's entry point: what lib/index.js finds in require('pindeck.node').
#include <napi.h>

#include "addon_data.h"
#include "client.h"
#include "media.h"
#include "pindeck/pindeck.h"
#include "s3.h"

namespace {

using namespace pindeck_node;

Napi::Value set_error_factory(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "factory must be a function");
  addon_data(info.Env()).error_factory = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData);
  exports["setErrorFactory"] = Napi::Function::New<set_error_factory>(env, "setErrorFactory");
  exports["NativeClient"] = NativeClient::define(env);
  exports["NativeS3"] = NativeS3::define(env);
  exports["probe"] = Napi::Function::New<probe>(env, "probe");
  exports["derive"] = Napi::Function::New<derive>(env, "derive");
  exports["palette"] = Napi::Function::New<palette>(env, "palette");
  exports["version"] = Napi::String::New(env, pd_version_string());
  return exports;
}

}  // namespace

NODE_API_MODULE(pindeck, init)
