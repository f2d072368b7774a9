// SPDX-License-Identifier: Apache-2.0
// Probe: what an image is, read from its header alone (no pixel is decoded), whether it is whole
// (completeness.hpp) and whether it is small enough to decode at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "media/format.hpp"

namespace pindeck::media {

// Most pixels a decode may produce, summed over every frame it decodes. A decompression bomb
// (a tiny file declaring huge dimensions) is refused before decoding.
inline constexpr std::uint64_t default_max_decode_pixels = 100'000'000;
// Most frames of an animation; each frame costs encoder work even when tiny.
inline constexpr int default_max_frames = 1000;
// Most channels a pixel may have: CMYK with alpha. Only TIFF can declare more (up to 65535 extra
// samples), and libvips' memory for an image grows with them, past what the pixel limit bounds.
inline constexpr int max_channels = 5;

struct DecodeLimits {
  std::uint64_t max_pixels = default_max_decode_pixels;
  int max_frames = default_max_frames;
};

struct ProbeResult {
  ImageFormat format;
  int width;  // as displayed: EXIF orientation applied; one frame of an animation
  int height;
  int pages;        // pages or frames in the file (1 for a still image)
  int orientation;  // EXIF orientation, 1..8 (1 when absent)
  bool animated;    // GIF or WebP with more than one frame: derivatives keep the animation
  bool has_alpha;
  bool has_icc_profile;  // pixels are in that profile's space, to be converted to sRGB
  // Memory the decoder holds at once whatever the output size: the DCT coefficients of a
  // progressive JPEG, the pixels of an interlaced PNG; 0 for decoders that stream.
  std::uint64_t whole_image_buffer_bytes;
  // Frames the derivatives decode: every frame of an animation, else the first page only.
  int frames_to_decode() const noexcept { return animated ? pages : 1; }
};

// Reads the facts of `bytes`. Throws Error(Errc::media) naming the problem when the bytes are no
// supported image, are truncated (check_complete), their header is unreadable, or they exceed
// `limits`.
ProbeResult probe(std::span<const std::byte> bytes, const DecodeLimits& limits = {});

}  // namespace pindeck::media
