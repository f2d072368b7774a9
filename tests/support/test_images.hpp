// SPDX-License-Identifier: Apache-2.0
// Images for persistence tests: the repository's sample images, and bad inputs built from the
// image formats' rules (not random bytes), so each fails for the reason its name says.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "read_file.hpp"

namespace pindeck::test {

inline std::vector<std::filesystem::path> sample_images() {
  const std::filesystem::path dir = std::filesystem::path(PINDECK_TEST_DATA) / "images";
  return {dir / "flow-5120x2880.jpg", dir / "canopee-3840x2160.png", dir / "truchet-l.webp",
          dir / "safelanding-5120x2880.jpg", dir / "volna-5120x2880.jpg"};
}

inline std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

inline void put_chunk(std::string& out, const std::string& type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = type + data;
  out += body;
  put_u32(out, crc32(body));
}

// A tiny, well-formed PNG header declaring 60000 x 60000 pixels: a decompression bomb.
inline std::string png_bomb() {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_u32(header, 60000);
  put_u32(header, 60000);
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8));
  put_chunk(png, "IEND", "");
  return png;
}

// A real PNG whole in its structure (every chunk, IEND last) with 8 bytes of its pixel data
// damaged: ingest accepts it (its header probes fine and it is not truncated), its pixels cannot
// be decoded, and libvips warns while trying.
inline std::string undecodable_png() {
  std::string png = read_file(sample_images()[1]);
  for (std::size_t i = png.size() / 2; i < png.size() / 2 + 8; ++i) png[i] ^= 0x55;
  return png;
}

}  // namespace pindeck::test
