// SPDX-License-Identifier: Apache-2.0
// The native side of S3 (lib/index.js): one pd_s3, its calls as Promises from the library's
// completion callbacks.
#ifndef PINDECK_NODE_S3_H
#define PINDECK_NODE_S3_H

#include <napi.h>

#include "pindeck/pindeck.h"

namespace pindeck_node {

class NativeS3 final : public Napi::ObjectWrap<NativeS3> {
 public:
  static Napi::Function define(Napi::Env env);

  // new NativeS3(configJson|null): opens at once (pd_s3_open reads settings, no network).
  // A handle never closed is closed when collected.
  explicit NativeS3(const Napi::CallbackInfo& info);
  ~NativeS3() override;

  NativeS3(const NativeS3&) = delete;
  NativeS3& operator=(const NativeS3&) = delete;

 private:
  Napi::Value put_file(const Napi::CallbackInfo& info);
  Napi::Value put_bytes(const Napi::CallbackInfo& info);
  Napi::Value get_bytes(const Napi::CallbackInfo& info);
  Napi::Value get_file(const Napi::CallbackInfo& info);
  Napi::Value head(const Napi::CallbackInfo& info);
  Napi::Value remove(const Napi::CallbackInfo& info);
  Napi::Value remove_many(const Napi::CallbackInfo& info);
  Napi::Value list(const Napi::CallbackInfo& info);
  Napi::Value presign(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);

  pd_s3* handle(Napi::Env env) const;

  pd_s3* s3_ = nullptr;
};

}  // namespace pindeck_node

#endif
