// Palette of an encoded image: libvips turns the bytes into the small sRGB sample the pixel
// palette expects, as Pindeck's server does with sharp (rotate, fit inside 160x160 without
// enlarging, drop alpha).
#include <vips/vips.h>

#include <memory>
#include <mutex>
#include <string>

#include "media/palette.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {

namespace {

struct VipsImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using VipsImagePtr = std::unique_ptr<VipsImage, VipsImageUnref>;

[[noreturn]] void throw_vips_error(const std::string& what) {
  std::string detail = vips_error_buffer();
  vips_error_clear();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  throw Error(Errc::media, what + (detail.empty() ? "" : ": " + detail));
}

void start_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("pindeck") != 0) throw_vips_error("cannot start libvips");
    // Same policy as the rest of libpindeck: no loaders that are unsafe on hostile input, and
    // no operation cache growing with every image.
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
  });
}

// Refuses decompression bombs from the header alone, before any pixel is decoded.
void check_declared_size(std::span<const std::uint8_t> encoded, std::uint64_t max_pixels) {
  VipsImagePtr header(vips_image_new_from_buffer(encoded.data(), encoded.size(), "", "access",
                                                 VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) throw_vips_error("not a decodable image");
  const auto pixels = static_cast<std::uint64_t>(vips_image_get_width(header.get())) *
                      static_cast<std::uint64_t>(vips_image_get_height(header.get())) *
                      static_cast<std::uint64_t>(vips_image_get_n_pages(header.get()));
  if (pixels > max_pixels) {
    throw Error(Errc::media, "image declares " + std::to_string(pixels) +
                                 " pixels, over the limit of " + std::to_string(max_pixels));
  }
}

}  // namespace

std::vector<std::string> palette_from_image(std::span<const std::uint8_t> encoded,
                                            const PaletteOptions& options,
                                            std::uint64_t max_pixels) {
  if (encoded.empty()) throw Error(Errc::media, "image is empty (0 bytes)");
  start_vips();
  check_declared_size(encoded, max_pixels);

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
  std::unique_ptr<void, decltype(&g_free)> memory(vips_image_write_to_memory(image.get(), &size),
                                                  &g_free);
  if (!memory) throw_vips_error("cannot decode image");
  const auto width = static_cast<std::size_t>(vips_image_get_width(image.get()));
  const auto height = static_cast<std::size_t>(vips_image_get_height(image.get()));
  return palette_from_pixels({static_cast<const std::uint8_t*>(memory.get()), size}, width, height,
                             3, options);
}

}  // namespace pindeck::media
