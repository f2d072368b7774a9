// SPDX-License-Identifier: Apache-2.0
// The C ABI's probe and derivatives without persistence: the same media::derive and
// palette_from_pixels calls a persist job makes (pipeline/persist_job.cpp), so a host gets the
// bytes and colours a persisted record would have.
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "capi/guard.hpp"
#include "media/derivatives.hpp"
#include "media/palette.hpp"
#include "media/probe.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"
#include "util/input_file.hpp"

struct pd_derivatives {
  std::vector<pindeck::media::EncodedImage> outputs;
  std::vector<std::string> roles;  // NUL-terminated names handed out as `const char*`
  std::string json;
};

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;

struct DeriveRequest {
  bool palette = true;
};

DeriveRequest request_from(const char* options_json) {
  DeriveRequest request;
  if (options_json == nullptr) return request;
  const json in = pindeck::model::parse_json_text(options_json, "derive options");
  if (!in.is_object()) throw Error(Errc::invalid, "derive options: must be a JSON object");
  for (const auto& [key, value] : in.items()) {
    if (key != "palette")
      throw Error(Errc::invalid, "derive options: unknown field \"" + key + "\"");
  }
  if (in.contains("palette")) {
    if (!in["palette"].is_boolean())
      throw Error(Errc::invalid, "derive options: palette: must be true or false");
    request.palette = in["palette"].get<bool>();
  }
  return request;
}

// The whole file, read as uploads read it: a FIFO or directory is refused without blocking.
std::vector<std::byte> read_whole(const char* path) {
  pindeck::capi::require_arg(path, "path");
  pindeck::util::InputFile file(path);
  std::vector<std::byte> bytes;
  constexpr std::size_t chunk = std::size_t{1} << 20;
  for (;;) {
    const std::size_t used = bytes.size();
    bytes.resize(used + chunk);
    const std::size_t got = file.read_some(std::span(bytes).subspan(used));
    bytes.resize(used + got);
    if (got == 0) return bytes;
  }
}

std::span<const std::byte> bytes_of(const unsigned char* bytes, std::size_t size) {
  pindeck::capi::require_arg(bytes, "bytes");
  return std::as_bytes(std::span(bytes, size));
}

json probe_json(const pindeck::media::ProbeResult& probe) {
  const std::string content_type(pindeck::media::content_type(probe.format));
  return {
      // Every supported format's MIME type is image/<name>: the name hosts know (sharp's too).
      {"format", content_type.substr(content_type.find('/') + 1)},
      {"contentType", content_type},
      {"width", probe.width},
      {"height", probe.height},
      {"pages", probe.pages},
      {"animated", probe.animated},
      {"orientation", probe.orientation},
      {"hasAlpha", probe.has_alpha},
      {"hasIccProfile", probe.has_icc_profile},
  };
}

char* probe_out(std::span<const std::byte> bytes) {
  return pindeck::capi::copy_out(probe_json(pindeck::media::probe(bytes)).dump());
}

std::unique_ptr<pd_derivatives> derive(std::span<const std::byte> original,
                                       const DeriveRequest& request) {
  pindeck::media::DeriveOptions options;
  if (!request.palette) options.palette_sample_size = 0;
  auto set = pindeck::media::derive(original, options);

  json colors = nullptr;
  if (request.palette) {
    const auto& sample = set.palette_sample;
    colors = pindeck::media::palette_from_pixels(
        std::span<const std::uint8_t>(sample.pixels.data(), sample.pixels.size()),
        static_cast<std::size_t>(sample.width), static_cast<std::size_t>(sample.height),
        sample.channels);
  }
  auto result = std::make_unique<pd_derivatives>();
  json outputs = json::array();
  for (const auto& image : set.derivatives) {
    result->roles.emplace_back(pindeck::media::name_of(image.kind));
    outputs.push_back({{"role", result->roles.back()},
                       {"width", image.width},
                       {"height", image.height},
                       {"contentType", image.content_type},
                       {"size", image.bytes.size()}});
  }
  result->json =
      json{{"source", probe_json(set.original)}, {"colors", colors}, {"outputs", outputs}}.dump();
  result->outputs = std::move(set.derivatives);
  return result;
}

}  // namespace

extern "C" {

int pd_image_probe(const unsigned char* bytes, size_t size, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::reset_out(out_json, "out_json");
    *out_json = probe_out(bytes_of(bytes, size));
  });
}

int pd_image_probe_file(const char* path, char** out_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::reset_out(out_json, "out_json");
    *out_json = probe_out(read_whole(path));
  });
}

int pd_derive(const unsigned char* bytes, size_t size, const char* options_json,
              pd_derivatives** out) {
  return pindeck::capi::guard([&] {
    pindeck::capi::reset_out(out, "out");
    const auto original = bytes_of(bytes, size);
    *out = derive(original, request_from(options_json)).release();
  });
}

int pd_derive_file(const char* path, const char* options_json, pd_derivatives** out) {
  return pindeck::capi::guard([&] {
    pindeck::capi::reset_out(out, "out");
    const auto request = request_from(options_json);
    *out = derive(read_whole(path), request).release();
  });
}

size_t pd_derivatives_count(const pd_derivatives* derivatives) {
  return derivatives == nullptr ? 0 : derivatives->outputs.size();
}

int pd_derivatives_output(const pd_derivatives* derivatives, size_t index, const char** role,
                          const unsigned char** data, size_t* size) {
  return pindeck::capi::guard([&] {
    if (role != nullptr) *role = nullptr;
    if (data != nullptr) *data = nullptr;
    if (size != nullptr) *size = 0;
    pindeck::capi::require_arg(derivatives, "derivatives");
    if (index >= derivatives->outputs.size()) {
      throw Error(Errc::invalid, "index " + std::to_string(index) + " is out of range: there are " +
                                     std::to_string(derivatives->outputs.size()) + " outputs");
    }
    const auto& image = derivatives->outputs[index];
    if (role != nullptr) *role = derivatives->roles[index].c_str();
    if (data != nullptr) *data = reinterpret_cast<const unsigned char*>(image.bytes.data());
    if (size != nullptr) *size = image.bytes.size();
  });
}

const char* pd_derivatives_json(const pd_derivatives* derivatives) {
  return derivatives == nullptr ? nullptr : derivatives->json.c_str();
}

void pd_derivatives_free(pd_derivatives* derivatives) {
  delete derivatives;
}

}  // extern "C"
