// SPDX-License-Identifier: Apache-2.0
// Derivatives (DESIGN §4): the preview and the WebP sizes of an original, all made from one decode,
// plus the small RGB sample the palette is computed from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/format.hpp"
#include "media/palette.hpp"
#include "media/probe.hpp"

namespace pindeck::media {

// The four derivatives a record has a place for (DESIGN §4): the preview and the three WebP sizes.
enum class DerivativeKind { preview, small, medium, large };

// "preview", "small", "medium" or "large", for messages.
std::string_view name_of(DerivativeKind kind);

struct DerivativeSpec {
  DerivativeKind kind;
  int width;  // target width; a narrower original is not enlarged (kept at its own width)
  // Write JPEG, PNG and WebP originals in their own format (jpeg_quality / webp_quality), every
  // other format as WebP. When false the output is always WebP.
  bool keep_original_format = false;
  int webp_quality = 80;
  int jpeg_quality = 80;
  // libwebp effort 0 (fastest) .. 6 (smallest). At equal quality, 2 encodes in half the time of
  // 4 (sharp's default) for files 3-4% larger; 3 costs what 4 does (DESIGN §4).
  int webp_effort = 4;
};

// A fixed aspect ratio every derivative is centre-cropped to, e.g. {1, 1} for squares.
struct CropRatio {
  int width;
  int height;
};

struct DeriveOptions {
  // Defaults (DESIGN §4): preview 640 (original format: jpg q80, png, webp q80), small 320,
  // medium 768 and large 1280 as WebP q80; effort 4 but for the large output's 2.
  std::vector<DerivativeSpec> derivatives = default_derivatives();
  std::optional<CropRatio> crop;
  DecodeLimits limits;
  // Derivatives encoded at once (libwebp encodes on one thread each). From 2 up, this many helper
  // threads shrink the outputs other than the widest while the decode is still writing rows, and
  // the decoding thread encodes the widest; 1 makes everything on the calling thread, after the
  // decode.
  int encode_threads = 2;
  // Longest side of the palette sample (DESIGN §5); 0 skips the sample.
  int palette_sample_size = kPaletteSampleSize;

  static std::vector<DerivativeSpec> default_derivatives();
};

struct EncodedImage {
  DerivativeKind kind;
  std::vector<std::byte> bytes;
  int width;
  int height;  // of one frame
  int pages;   // frames kept (1 unless an animation)
  ImageFormat format;
  std::string content_type;
};

// Packed 8-bit sRGB pixels (alpha dropped), orientation applied, first frame only: the input of the
// palette, so the pipeline never decodes the original a second time for it.
struct PixelSample {
  std::vector<unsigned char> pixels;  // width * height * channels bytes, row-major
  int width = 0;
  int height = 0;
  int channels = 3;
};

struct DerivedSet {
  ProbeResult original;
  std::vector<EncodedImage> derivatives;  // in the order of DeriveOptions::derivatives
  PixelSample palette_sample;
};

// Decodes `original` once and makes every derivative. Throws Error(Errc::media) naming the problem
// for bytes that are no supported image, are damaged, or exceed the limits; Error(Errc::invalid)
// for options that make no sense.
DerivedSet derive(std::span<const std::byte> original, const DeriveOptions& options = {});

// The palette sample derive() makes, from the same decode, without encoding any derivative: so a
// palette sampled again matches the one persistence stored. Throws as derive() does.
PixelSample palette_sample(std::span<const std::byte> original, const DeriveOptions& options = {});

}  // namespace pindeck::media
