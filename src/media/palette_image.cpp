// SPDX-License-Identifier: Apache-2.0
// Palette of an encoded image: libvips turns the bytes into the small sRGB sample the pixel
// palette expects, as Pindeck's server does with sharp (rotate, fit inside 160x160 without
// enlarging, drop alpha).
#include <cstddef>
#include <string>

#include "media/palette.hpp"
#include "media/probe.hpp"
#include "media/vips_runtime.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {

std::vector<std::string> palette_from_image(std::span<const std::uint8_t> encoded,
                                            const PaletteOptions& options,
                                            std::uint64_t max_pixels) {
  if (encoded.empty()) throw Error(Errc::media, "image is empty (0 bytes)");
  start_vips();
  // Refuses decompression bombs from the header alone, before any pixel is decoded.
  probe(std::as_bytes(encoded), DecodeLimits{.max_pixels = max_pixels});

  VipsImage* raw = nullptr;
  // vips_thumbnail applies the EXIF orientation and imports embedded ICC profiles by default;
  // fail-on makes a truncated or corrupt file an error instead of a partly gray picture.
  if (vips_thumbnail_buffer(const_cast<std::uint8_t*>(encoded.data()), encoded.size(), &raw,
                            kPaletteSampleSize, "height", kPaletteSampleSize, "size",
                            VIPS_SIZE_DOWN, "option_string", "fail-on=error", nullptr) != 0) {
    throw_vips_error("cannot decode image");
  }
  VipsImagePtr image(raw);

  if (vips_image_get_interpretation(image.get()) != VIPS_INTERPRETATION_sRGB ||
      vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
    if (vips_colourspace(image.get(), &raw, VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
      throw_vips_error("cannot convert image to sRGB");
    }
    image.reset(raw);
    if (vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
      if (vips_cast(image.get(), &raw, VIPS_FORMAT_UCHAR, nullptr) != 0) {
        throw_vips_error("cannot convert image to 8 bits");
      }
      image.reset(raw);
    }
  }
  if (vips_image_get_bands(image.get()) > 3) {
    if (vips_extract_band(image.get(), &raw, 0, "n", 3, nullptr) != 0) {
      throw_vips_error("cannot drop the alpha channel");
    }
    image.reset(raw);
  }

  std::size_t size = 0;
  VipsBufferPtr memory(vips_image_write_to_memory(image.get(), &size));
  if (!memory) throw_vips_error("cannot decode image");
  const auto width = static_cast<std::size_t>(vips_image_get_width(image.get()));
  const auto height = static_cast<std::size_t>(vips_image_get_height(image.get()));
  return palette_from_pixels({static_cast<const std::uint8_t*>(memory.get()), size}, width, height,
                             3, options);
}

}  // namespace pindeck::media
