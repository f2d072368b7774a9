// SPDX-License-Identifier: Apache-2.0
// The colour palette of an image (DESIGN §5): up to five lowercase "#rrggbb", most dominant
// first, computed exactly as Pindeck's own extractor does so that palettes from both agree.
// tests/data/palette holds the golden vectors that define "exactly".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "media/probe.hpp"

namespace pindeck::media {

struct PaletteOptions {
  std::size_t top_n = 5;        // at most this many colours
  int quantize_levels = 36;     // bucket steps per channel, 1..255
  double min_share = 0.01;      // a bucket needs this share of the meaningful pixels...
  double min_lab_delta = 19.0;  // ...and picked colours are at least this far apart in CIE Lab
};

// The side of the square images are shrunk into before sampling (DESIGN §5: fit in 160x160).
inline constexpr int kPaletteSampleSize = 160;

// width*height*channels: the size of a packed pixel buffer. Throws Error(Errc::invalid) for
// channels other than 3 or 4, a zero width or height, or a product that overflows.
std::size_t packed_pixel_bytes(std::size_t width, std::size_t height, int channels);

// Palette of packed 8-bit pixels, row-major: channels 3 (RGB) or 4 (RGBA; pixels with alpha
// below 128 are ignored). `pixels` must hold exactly width*height*channels bytes.
// Throws Error(Errc::invalid) naming the bad argument. An empty list means no meaningful colour
// (flat gray, black, near-white).
std::vector<std::string> palette_from_pixels(std::span<const std::uint8_t> pixels,
                                             std::size_t width, std::size_t height, int channels,
                                             const PaletteOptions& options = {});

// Palette of an encoded image: decoded with libvips, EXIF orientation applied, converted to
// sRGB, shrunk (never enlarged) to fit kPaletteSampleSize², alpha dropped, then sampled as above.
// Throws Error(Errc::media) for bytes that are not a decodable image or that declare more than
// `max_pixels` pixels over all frames (refused before decoding).
std::vector<std::string> palette_from_image(std::span<const std::uint8_t> encoded,
                                            const PaletteOptions& options = {},
                                            std::uint64_t max_pixels = default_max_decode_pixels);

}  // namespace pindeck::media
