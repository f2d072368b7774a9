// SPDX-License-Identifier: Apache-2.0
#include "media/webp_metadata.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace pindeck::media {
namespace {

// RIFF container: "RIFF", u32le size, "WEBP", then chunks of fourcc, u32le size, payload padded
// to an even length (https://developers.google.com/speed/webp/docs/riff_container).
constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kChunkHeaderSize = 8;
constexpr std::uint8_t kIccFlag = 0x20;
constexpr std::uint8_t kExifFlag = 0x08;
constexpr std::uint8_t kXmpFlag = 0x04;

std::uint32_t read_le32(const std::byte* p) {
  return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8 |
         std::to_integer<std::uint32_t>(p[2]) << 16 | std::to_integer<std::uint32_t>(p[3]) << 24;
}

void write_le32(std::byte* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}

bool is(const std::byte* p, std::string_view fourcc) {
  return std::memcmp(p, fourcc.data(), 4) == 0;
}

}  // namespace

void strip_webp_metadata(std::vector<std::byte>& webp) {
  if (webp.size() < kHeaderSize || !is(webp.data(), "RIFF") || !is(webp.data() + 8, "WEBP")) return;
  std::vector<std::byte> out(webp.begin(), webp.begin() + kHeaderSize);
  std::size_t vp8x_payload = 0;  // offset in `out` of the VP8X flags byte, 0 if none
  for (std::size_t at = kHeaderSize; at < webp.size();) {
    if (webp.size() - at < kChunkHeaderSize) return;
    const std::uint32_t size = read_le32(webp.data() + at + 4);
    const std::size_t padded = kChunkHeaderSize + size + (size & 1);
    if (padded > webp.size() - at) return;
    const std::byte* chunk = webp.data() + at;
    if (!is(chunk, "EXIF") && !is(chunk, "XMP ") && !is(chunk, "ICCP")) {
      if (is(chunk, "VP8X") && size >= 1) vp8x_payload = out.size() + kChunkHeaderSize;
      out.insert(out.end(), chunk, chunk + padded);
    }
    at += padded;
  }
  if (vp8x_payload != 0)
    out[vp8x_payload] &= static_cast<std::byte>(~(kIccFlag | kExifFlag | kXmpFlag));
  write_le32(out.data() + 4, static_cast<std::uint32_t>(out.size() - 8));
  webp = std::move(out);
}

}  // namespace pindeck::media
