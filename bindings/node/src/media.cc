// SPDX-License-Identifier: Apache-2.0
#include "media.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "outcome.h"
#include "pindeck/pindeck.h"

namespace pindeck_node {

namespace {

// An image argument: a path (a string) or bytes (copied for the worker).
struct Image {
  std::optional<std::string> path;
  std::vector<unsigned char> bytes;
};

Image image_arg(const Napi::CallbackInfo& info, size_t index) {
  if (info[index].IsString()) return {info[index].As<Napi::String>().Utf8Value(), {}};
  return {std::nullopt, bytes_arg(info, index, "image")};
}

// The derivatives' JSON and bytes, copied out on the worker.
class DeriveCall final : public Napi::AsyncWorker {
 public:
  DeriveCall(Napi::Env env, Image image, std::optional<std::string> options)
      : Napi::AsyncWorker(env, "pindeck.derive"),
        deferred_(Napi::Promise::Deferred::New(env)),
        image_(std::move(image)),
        options_(std::move(options)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    pd_derivatives* derivatives = nullptr;
    status_ = image_.path ? pd_derive_file(image_.path->c_str(), c_str(options_), &derivatives)
                          : pd_derive(image_.bytes.data(), image_.bytes.size(), c_str(options_),
                                      &derivatives);
    if (status_ != PD_OK) {
      failure_ = capture_failure(status_);
      return;
    }
    json_ = pd_derivatives_json(derivatives);
    for (size_t i = 0; i < pd_derivatives_count(derivatives); ++i) {
      const unsigned char* data = nullptr;
      size_t size = 0;
      pd_derivatives_output(derivatives, i, nullptr, &data, &size);
      outputs_.emplace_back(data, data + size);
    }
    pd_derivatives_free(derivatives);
  }

  void OnOK() override {
    const Napi::Env env = Env();
    if (status_ != PD_OK) {
      deferred_.Reject(make_error(env, failure_));
      return;
    }
    Napi::Array outputs = Napi::Array::New(env, outputs_.size());
    for (uint32_t i = 0; i < outputs_.size(); ++i) {
      outputs[i] = Napi::Buffer<unsigned char>::Copy(env, outputs_[i].data(), outputs_[i].size());
    }
    Napi::Object result = Napi::Object::New(env);
    result["json"] = json_;
    result["outputs"] = outputs;
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Image image_;
  std::optional<std::string> options_;
  int status_ = PD_OK;
  Failure failure_;
  std::string json_;
  std::vector<std::vector<unsigned char>> outputs_;
};

}  // namespace

Napi::Value probe(const Napi::CallbackInfo& info) {
  return run_on_pool(Napi::Object::New(info.Env()), [image = image_arg(info, 0)] {
    char* out = nullptr;
    const int status = image.path ? pd_image_probe_file(image.path->c_str(), &out)
                                  : pd_image_probe(image.bytes.data(), image.bytes.size(), &out);
    return json_outcome(status, &out);
  });
}

Napi::Value derive(const Napi::CallbackInfo& info) {
  auto* call =
      new DeriveCall(info.Env(), image_arg(info, 0), optional_string_arg(info, 1, "options"));
  const Napi::Promise promise = call->promise();
  call->Queue();
  return promise;
}

Napi::Value palette(const Napi::CallbackInfo& info) {
  return run_on_pool(Napi::Object::New(info.Env()), [bytes = bytes_arg(info, 0, "image")] {
    char* out = nullptr;
    return json_outcome(pd_palette_from_image(bytes.data(), bytes.size(), &out), &out);
  });
}

}  // namespace pindeck_node
