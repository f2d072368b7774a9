// SPDX-License-Identifier: Apache-2.0
// C ABI of src/media: the palette.
#include <nlohmann/json.hpp>

#include "capi/guard.hpp"
#include "media/palette.hpp"

namespace {

char* palette_json(const std::vector<std::string>& colors) {
  return pindeck::capi::copy_out(nlohmann::json(colors).dump());
}

}  // namespace

extern "C" {

int pd_palette_from_pixels(const unsigned char* pixels, size_t width, size_t height, int channels,
                           char** colors_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::require_arg(colors_json, "colors_json");
    *colors_json = nullptr;
    pindeck::capi::require_arg(pixels, "pixels");
    const std::span<const std::uint8_t> bytes(
        pixels, pindeck::media::packed_pixel_bytes(width, height, channels));
    *colors_json =
        palette_json(pindeck::media::palette_from_pixels(bytes, width, height, channels));
  });
}

int pd_palette_from_image(const unsigned char* bytes, size_t size, char** colors_json) {
  return pindeck::capi::guard([&] {
    pindeck::capi::require_arg(colors_json, "colors_json");
    *colors_json = nullptr;
    pindeck::capi::require_arg(bytes, "bytes");
    *colors_json = palette_json(pindeck::media::palette_from_image({bytes, size}));
  });
}
}
