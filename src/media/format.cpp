// SPDX-License-Identifier: Apache-2.0
#include "media/format.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pindeck::media {
namespace {

bool starts_with(std::span<const std::byte> bytes, std::size_t offset, std::string_view magic) {
  if (bytes.size() < offset + magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), bytes.begin() + offset,
                    [](char m, std::byte b) { return static_cast<std::byte>(m) == b; });
}

std::uint32_t read_be32(std::span<const std::byte> bytes, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | std::to_integer<std::uint32_t>(bytes[offset + i]);
  return v;
}

// HEIF and AVIF are both ISO base media files: a leading `ftyp` box names a major brand and a list
// of compatible brands. AVIF wins when both kinds of brand are listed, as libheif decides the same.
std::optional<ImageFormat> sniff_iso_bmff(std::span<const std::byte> bytes) {
  if (!starts_with(bytes, 4, "ftyp") || bytes.size() < 16) return std::nullopt;
  const std::size_t box_size = std::min<std::size_t>(read_be32(bytes, 0), bytes.size());
  if (box_size < 16) return std::nullopt;
  static constexpr std::array<std::string_view, 2> avif_brands{"avif", "avis"};
  static constexpr std::array<std::string_view, 8> heic_brands{"heic", "heix", "hevc", "hevx",
                                                               "heim", "heis", "mif1", "msf1"};
  bool heic = false;
  // Offset 8 is the major brand, 12 the minor version, 16.. the compatible brands.
  for (std::size_t offset = 8; offset + 4 <= box_size; offset += 4) {
    if (offset == 12) continue;
    for (auto brand : avif_brands)
      if (starts_with(bytes, offset, brand)) return ImageFormat::avif;
    for (auto brand : heic_brands)
      if (starts_with(bytes, offset, brand)) heic = true;
  }
  if (heic) return ImageFormat::heic;
  return std::nullopt;
}

}  // namespace

std::optional<ImageFormat> sniff_format(std::span<const std::byte> bytes) noexcept {
  if (starts_with(bytes, 0, "\xFF\xD8\xFF")) return ImageFormat::jpeg;
  if (starts_with(bytes, 0, "\x89PNG\r\n\x1A\n")) return ImageFormat::png;
  if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) return ImageFormat::webp;
  if (starts_with(bytes, 0, "GIF87a") || starts_with(bytes, 0, "GIF89a")) return ImageFormat::gif;
  if (starts_with(bytes, 0, std::string_view("II*\0", 4)) ||
      starts_with(bytes, 0, std::string_view("MM\0*", 4)) ||
      starts_with(bytes, 0, std::string_view("II+\0", 4)) ||
      starts_with(bytes, 0, std::string_view("MM\0+", 4)))
    return ImageFormat::tiff;
  return sniff_iso_bmff(bytes);
}

std::string_view extension(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::jpeg: return "jpg";
    case ImageFormat::png: return "png";
    case ImageFormat::webp: return "webp";
    case ImageFormat::gif: return "gif";
    case ImageFormat::avif: return "avif";
    case ImageFormat::heic: return "heic";
    case ImageFormat::tiff: return "tiff";
  }
  return "bin";
}

std::string_view content_type(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::jpeg: return "image/jpeg";
    case ImageFormat::png: return "image/png";
    case ImageFormat::webp: return "image/webp";
    case ImageFormat::gif: return "image/gif";
    case ImageFormat::avif: return "image/avif";
    case ImageFormat::heic: return "image/heic";
    case ImageFormat::tiff: return "image/tiff";
  }
  return "application/octet-stream";
}

}  // namespace pindeck::media
