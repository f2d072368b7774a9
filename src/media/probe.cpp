// SPDX-License-Identifier: Apache-2.0
#include "media/probe.hpp"

#include <string>
#include <string_view>

#include "media/completeness.hpp"
#include "media/vips_runtime.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

// The libvips loader class that must handle each format; anything else libvips would pick (for a
// file that only looks like one of ours) is refused.
std::string_view expected_loader_prefix(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return "VipsForeignLoadJpeg";
    case ImageFormat::png: return "VipsForeignLoadPng";
    case ImageFormat::webp: return "VipsForeignLoadWebp";
    case ImageFormat::gif: return "VipsForeignLoadNsgif";
    case ImageFormat::avif:
    case ImageFormat::heic: return "VipsForeignLoadHeif";
    case ImageFormat::tiff: return "VipsForeignLoadTiff";
  }
  return "";
}

[[noreturn]] void refuse(const std::string& message) {
  throw Error(Errc::media, "media: " + message);
}

}  // namespace

ProbeResult probe(std::span<const std::byte> bytes, const DecodeLimits& limits) {
  start_vips();
  if (bytes.empty()) refuse("not an image: the input is empty (0 bytes)");
  const auto format = sniff_format(bytes);
  if (!format)
    refuse(
        "not an image: the bytes match no supported format (jpg, png, webp, gif, avif, heic, "
        "tiff)");
  const std::string name(extension(*format));
  check_complete(bytes, *format);

  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  vips_error_clear();
  if (loader == nullptr || !std::string_view(loader).starts_with(expected_loader_prefix(*format)))
    refuse("cannot read the " + name + " image: no decoder for it is available");

  VipsImagePtr header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr));
  if (!header) throw_vips_error("media: cannot read the " + name + " header");

  ProbeResult facts{};
  facts.format = *format;
  facts.pages = std::max(1, vips_image_get_n_pages(header.get()));
  facts.orientation = vips_image_get_orientation(header.get());
  facts.animated = (*format == ImageFormat::gif || *format == ImageFormat::webp) && facts.pages > 1;
  facts.has_alpha = vips_image_hasalpha(header.get());
  facts.has_icc_profile = vips_image_get_typeof(header.get(), VIPS_META_ICC_NAME) != 0;
  const int stored_width = vips_image_get_width(header.get());
  const int stored_height = vips_image_get_page_height(header.get());
  const bool swap = vips_image_get_orientation_swap(header.get());
  facts.width = swap ? stored_height : stored_width;
  facts.height = swap ? stored_width : stored_height;
  if (facts.width <= 0 || facts.height <= 0) refuse("the " + name + " header declares no pixels");

  if (facts.animated && facts.pages > limits.max_frames)
    refuse("the " + name + " animation has " + std::to_string(facts.pages) +
           " frames, more than the limit of " + std::to_string(limits.max_frames));
  const std::uint64_t pixels = static_cast<std::uint64_t>(facts.width) *
                               static_cast<std::uint64_t>(facts.height) *
                               static_cast<std::uint64_t>(facts.frames_to_decode());
  if (pixels > limits.max_pixels)
    refuse("the " + name + " image declares " + std::to_string(facts.width) + "x" +
           std::to_string(facts.height) + " pixels x " + std::to_string(facts.frames_to_decode()) +
           " frame(s) = " + std::to_string(pixels) + " pixels, over the limit of " +
           std::to_string(limits.max_pixels));
  const int channels = vips_image_get_bands(header.get());
  if (channels > max_channels)
    refuse("the " + name + " image has " + std::to_string(channels) +
           " channels per pixel, more than the " + std::to_string(max_channels) +
           " of CMYK with alpha");
  int interlaced = 0;
  if (vips_image_get_typeof(header.get(), "interlaced") != 0)
    vips_image_get_int(header.get(), "interlaced", &interlaced);
  if (interlaced != 0 && (*format == ImageFormat::jpeg || *format == ImageFormat::png)) {
    // JPEG coefficients are 16-bit per sample; PNG keeps samples at their own depth.
    const std::uint64_t sample_bytes =
        *format == ImageFormat::jpeg ? 2 : vips_format_sizeof(vips_image_get_format(header.get()));
    facts.whole_image_buffer_bytes =
        static_cast<std::uint64_t>(stored_width) * static_cast<std::uint64_t>(stored_height) *
        static_cast<std::uint64_t>(vips_image_get_bands(header.get())) * sample_bytes;
  }
  return facts;
}

}  // namespace pindeck::media
