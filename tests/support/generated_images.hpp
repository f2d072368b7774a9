// SPDX-License-Identifier: Apache-2.0
// Test images made on the fly with libvips, so the repository carries no binary fixtures for the
// media tests. Every helper fails the calling test (via an exception) if libvips cannot make it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/vips_runtime.hpp"

namespace pindeck::test {

using Bytes = std::vector<std::byte>;
using media::VipsImagePtr;

// Runs one libvips operation `op(VipsImage** out)` and owns its result.
template <typename Op>
VipsImagePtr make(const char* what, Op op) {
  VipsImage* out = nullptr;
  if (op(&out) != 0 || out == nullptr)
    throw std::runtime_error(std::string(what) + ": " + vips_error_buffer());
  return VipsImagePtr(out);
}

// A smooth colour gradient, 8-bit sRGB with `bands` bands (1 = grey, 2 = grey+alpha, 3, 4 = RGBA).
inline VipsImagePtr gradient(int width, int height, int bands = 3) {
  media::start_vips();
  VipsImagePtr xy = make("xyz", [&](VipsImage** o) { return vips_xyz(o, width, height, nullptr); });
  VipsImagePtr xs =
      make("x", [&](VipsImage** o) { return vips_extract_band(xy.get(), o, 0, nullptr); });
  VipsImagePtr ys =
      make("y", [&](VipsImage** o) { return vips_extract_band(xy.get(), o, 1, nullptr); });
  double sx[] = {255.0 / width};
  double sy[] = {255.0 / height};
  double zero[] = {0.0};
  VipsImagePtr r =
      make("r", [&](VipsImage** o) { return vips_linear(xs.get(), o, sx, zero, 1, nullptr); });
  VipsImagePtr g =
      make("g", [&](VipsImage** o) { return vips_linear(ys.get(), o, sy, zero, 1, nullptr); });
  double bs[] = {-255.0 / width};
  double b0[] = {255.0};
  VipsImagePtr b =
      make("b", [&](VipsImage** o) { return vips_linear(xs.get(), o, bs, b0, 1, nullptr); });
  VipsImage* planes[] = {r.get(), g.get(), b.get(), g.get()};
  VipsImagePtr joined;
  if (bands == 1 || bands == 2) {
    VipsImage* grey[] = {r.get(), g.get()};
    joined =
        make("bandjoin", [&](VipsImage** o) { return vips_bandjoin(grey, o, bands, nullptr); });
  } else {
    joined =
        make("bandjoin", [&](VipsImage** o) { return vips_bandjoin(planes, o, bands, nullptr); });
  }
  VipsImagePtr cast =
      make("cast", [&](VipsImage** o) { return vips_cast_uchar(joined.get(), o, nullptr); });
  const auto interpretation = bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
  return make("copy", [&](VipsImage** o) {
    return vips_copy(cast.get(), o, "interpretation", interpretation, nullptr);
  });
}

// One flat colour, 8-bit sRGB (3 or 4 bands).
inline VipsImagePtr solid(int width, int height, std::vector<double> colour) {
  media::start_vips();
  VipsImagePtr black =
      make("black", [&](VipsImage** o) { return vips_black(o, width, height, nullptr); });
  std::vector<double> ones(colour.size(), 1.0);
  VipsImagePtr filled = make("linear", [&](VipsImage** o) {
    return vips_linear(black.get(), o, ones.data(), colour.data(), static_cast<int>(colour.size()),
                       nullptr);
  });
  VipsImagePtr cast =
      make("cast", [&](VipsImage** o) { return vips_cast_uchar(filled.get(), o, nullptr); });
  return make("copy", [&](VipsImage** o) {
    return vips_copy(cast.get(), o, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr);
  });
}

// Encodes with libvips' saver chosen by suffix, e.g. ".jpg[Q=90]", ".png", ".gif", ".tif".
inline Bytes encode(VipsImage* image, const char* suffix) {
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_image_write_to_buffer(image, suffix, &buffer, &length, nullptr) != 0)
    throw std::runtime_error(std::string("encode ") + suffix + ": " + vips_error_buffer());
  media::VipsBufferPtr owned(buffer);
  const auto* first = static_cast<const std::byte*>(buffer);
  return Bytes(first, first + length);
}

// `frames` frames of width x height stacked into one animation strip (each frame a different
// shade, so encoders cannot merge them), with a 40 ms delay per frame. Built in memory: thousands
// of frames take milliseconds.
inline VipsImagePtr animation(int width, int height, int frames) {
  media::start_vips();
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * frames * 3);
  std::size_t i = 0;
  for (int frame = 0; frame < frames; ++frame)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        pixels[i++] = static_cast<unsigned char>((x * 255 / width + frame * 37) % 256);
        pixels[i++] = static_cast<unsigned char>(y * 255 / height);
        pixels[i++] = static_cast<unsigned char>((frame * 11) % 256);
      }
  VipsImagePtr result(vips_image_new_from_memory_copy(pixels.data(), pixels.size(), width,
                                                      height * frames, 3, VIPS_FORMAT_UCHAR));
  if (!result) throw std::runtime_error(std::string("animation: ") + vips_error_buffer());
  vips_image_set_int(result.get(), VIPS_META_PAGE_HEIGHT, height);
  std::vector<int> delays(frames, 40);
  vips_image_set_array_int(result.get(), "delay", delays.data(), frames);
  vips_image_set_int(result.get(), "loop", 0);
  return result;
}

// Loads encoded bytes back (all frames), for checking what a derivative holds.
inline VipsImagePtr decode(std::span<const std::byte> bytes) {
  VipsImage* image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "n=-1", nullptr);
  if (image == nullptr) image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  if (image == nullptr) throw std::runtime_error(std::string("decode: ") + vips_error_buffer());
  return VipsImagePtr(image);
}

// Mean of one band over the whole image.
inline double band_mean(VipsImage* image, int band) {
  VipsImagePtr one =
      make("band", [&](VipsImage** o) { return vips_extract_band(image, o, band, nullptr); });
  double mean = 0;
  if (vips_avg(one.get(), &mean, nullptr) != 0) throw std::runtime_error("avg");
  return mean;
}

// A small JPEG as text (as an HTTP test server serves it), different for each seed so that no
// two share bytes or a content hash.
inline std::string small_jpeg(int seed) {
  auto image = gradient(40 + seed, 28 + seed);
  const auto bytes = encode(image.get(), ".jpg");
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace pindeck::test
