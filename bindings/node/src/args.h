// SPDX-License-Identifier: Apache-2.0
// Reading the arguments lib/index.js passes to the native functions; a wrong type is a TypeError
// naming the argument.
#ifndef PINDECK_NODE_ARGS_H
#define PINDECK_NODE_ARGS_H

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pindeck_node {

inline std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

// null or undefined give nullopt (NULL for the C function).
inline std::optional<std::string> optional_string_arg(const Napi::CallbackInfo& info, size_t index,
                                                      const char* name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return string_arg(info, index, name);
}

inline const char* c_str(const std::optional<std::string>& text) {
  return text ? text->c_str() : nullptr;
}

inline int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().Int64Value();
}

// A view of a Buffer, TypedArray or ArrayBuffer argument, for a C call that copies the bytes before
// it returns.
struct ByteView {
  const unsigned char* data;
  size_t size;
};

inline ByteView byte_view_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (value.IsTypedArray()) {
    auto array = value.As<Napi::TypedArray>();
    return {static_cast<const unsigned char*>(array.ArrayBuffer().Data()) + array.ByteOffset(),
            array.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    auto buffer = value.As<Napi::ArrayBuffer>();
    return {static_cast<const unsigned char*>(buffer.Data()), buffer.ByteLength()};
  }
  throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Buffer or Uint8Array");
}

// The bytes of a Buffer, TypedArray or ArrayBuffer argument, copied so that JavaScript may reuse
// its buffer while a worker reads them.
inline std::vector<unsigned char> bytes_arg(const Napi::CallbackInfo& info, size_t index,
                                            const char* name) {
  const ByteView view = byte_view_arg(info, index, name);
  return {view.data, view.data + view.size};
}

}  // namespace pindeck_node

#endif
