// SPDX-License-Identifier: Apache-2.0
#include "media/completeness.hpp"

#include <string.h>  // memrchr

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using Bytes = std::span<const std::byte>;

[[noreturn]] void truncated(ImageFormat format, const std::string& what) {
  throw Error(Errc::media,
              "media: the " + std::string(extension(format)) + " image is truncated: " + what);
}

unsigned byte_at(Bytes bytes, std::size_t offset) {
  return std::to_integer<unsigned>(bytes[offset]);
}

std::uint64_t read_uint(Bytes bytes, std::size_t offset, std::size_t width, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t at = big_endian ? offset + i : offset + width - 1 - i;
    v = (v << 8) | byte_at(bytes, at);
  }
  return v;
}

// The last offset at or after `from` where `needle` starts, searching backwards from the end
// with memrchr for its first byte (a few GB/s: a truncated JPEG is scanned whole).
std::optional<std::size_t> find_last(Bytes bytes, std::size_t from, std::string_view needle) {
  if (bytes.size() < needle.size() || from > bytes.size() - needle.size()) return std::nullopt;
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t end = bytes.size() - needle.size() + 1;  // candidates are [from, end)
  while (end > from) {
    const void* hit = ::memrchr(base + from, static_cast<unsigned char>(needle[0]), end - from);
    if (hit == nullptr) return std::nullopt;
    const auto at = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - base);
    if (std::memcmp(base + at, needle.data(), needle.size()) == 0) return at;
    end = at;
  }
  return std::nullopt;
}

std::size_t tail_start(Bytes bytes) {
  return bytes.size() > completeness_tail_bytes ? bytes.size() - completeness_tail_bytes : 0;
}

// Where the entropy-coded data of the first scan begins: the marker segments before it are
// walked by their lengths (a few hundred bytes to read, whatever the file's size).
std::size_t jpeg_first_scan(Bytes bytes) {
  std::size_t at = 2;  // after SOI
  for (;;) {
    while (at < bytes.size() && byte_at(bytes, at) == 0xFF && at + 1 < bytes.size() &&
           byte_at(bytes, at + 1) == 0xFF)
      ++at;  // fill bytes before a marker
    if (at + 4 > bytes.size())
      truncated(ImageFormat::jpeg, "it ends inside its header, before any image data");
    if (byte_at(bytes, at) != 0xFF)
      throw Error(Errc::media,
                  "media: the jpg header is damaged: no marker at byte " + std::to_string(at));
    const unsigned marker = byte_at(bytes, at + 1);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      at += 2;
      continue;
    }
    const std::size_t segment_end = at + 2 + read_uint(bytes, at + 2, 2, true);
    if (segment_end > bytes.size())
      truncated(ImageFormat::jpeg, "it ends inside its header, before any image data");
    if (marker == 0xDA) return segment_end;  // start of scan
    at = segment_end;
  }
}

void check_jpeg(Bytes bytes) {
  const std::size_t scan = jpeg_first_scan(bytes);
  const std::size_t tail = std::max(scan, tail_start(bytes));
  if (find_last(bytes, tail, "\xFF\xD9")) return;
  // A trailer longer than the tail window (a motion photo's video): look from the first scan on.
  // Inside entropy-coded data FF is only ever followed by 00 or a restart marker, so FF D9 there
  // is the end of the image.
  if (tail > scan && find_last(Bytes(bytes.data(), tail + 1), scan, "\xFF\xD9")) return;
  truncated(ImageFormat::jpeg, "no end-of-image marker (FF D9) after its image data (" +
                                   std::to_string(bytes.size()) + " bytes)");
}

void check_png(Bytes bytes) {
  static constexpr std::string_view iend("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
  if (find_last(bytes, tail_start(bytes), iend)) return;
  truncated(ImageFormat::png,
            "no IEND chunk at its end (" + std::to_string(bytes.size()) + " bytes)");
}

void check_webp(Bytes bytes) {
  const std::uint64_t declared = read_uint(bytes, 4, 4, false) + 8;  // sniffing saw 12 bytes
  if (bytes.size() >= declared) return;
  truncated(ImageFormat::webp, "its RIFF header declares " + std::to_string(declared) +
                                   " bytes, the file has " + std::to_string(bytes.size()));
}

void check_gif(Bytes bytes) {
  const std::size_t n = bytes.size();
  if (n >= 2 && byte_at(bytes, n - 1) == 0x3B && byte_at(bytes, n - 2) == 0x00) return;
  truncated(ImageFormat::gif, "no trailer (00 3B) at its end (" + std::to_string(n) + " bytes)");
}

// ISO base media file (AVIF, HEIC): top-level boxes, each starting with its own size.
void check_iso_bmff(Bytes bytes, ImageFormat format) {
  std::uint64_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 8)
      truncated(format, "it ends inside the header of a box at byte " + std::to_string(at));
    std::string type(reinterpret_cast<const char*>(bytes.data() + at + 4), 4);
    for (char& c : type)
      if (c < 0x20 || c > 0x7E) c = '?';  // hostile bytes never reach a message raw
    std::uint64_t size = read_uint(bytes, at, 4, true);
    std::uint64_t header = 8;
    if (size == 0) return;  // the last box, extending to the end of the file
    if (size == 1) {
      if (bytes.size() - at < 16)
        truncated(format, "it ends inside the header of box '" + type + "'");
      size = read_uint(bytes, at + 8, 8, true);
      header = 16;
    }
    if (size < header)
      throw Error(Errc::media, "media: the " + std::string(extension(format)) + " box '" + type +
                                   "' at byte " + std::to_string(at) +
                                   " declares an impossible size of " + std::to_string(size) +
                                   " bytes");
    if (size > bytes.size() - at)
      truncated(format, "box '" + type + "' at byte " + std::to_string(at) + " declares " +
                            std::to_string(size) + " bytes, the file ends " +
                            std::to_string(bytes.size() - at) + " bytes after its start");
    at += size;
  }
}

// The first image directory (IFD) of a TIFF and the strips or tiles it points to, which is what
// the derivatives decode.
class TiffCheck {
 public:
  explicit TiffCheck(Bytes bytes)
      : bytes_(bytes),
        big_endian_(byte_at(bytes, 0) == 'M'),
        big_tiff_(read_uint(bytes, 2, 2, big_endian_) == 43),
        offset_width_(big_tiff_ ? 8 : 4) {}

  void run() const {
    need(0, big_tiff_ ? 16 : 8, "its header");
    const std::uint64_t ifd = big_tiff_ ? number(8, 8) : number(4, 4);
    const std::uint64_t count_width = big_tiff_ ? 8 : 2;
    const std::uint64_t entry_width = big_tiff_ ? 20 : 12;
    need(ifd, count_width, "the first image directory");
    const std::uint64_t entries = number(ifd, count_width);
    need_array(ifd + count_width, entries, entry_width, "the first image directory");
    need(ifd + count_width + entries * entry_width, offset_width_, "the first image directory");
    std::optional<Entry> offsets, counts;
    for (std::uint64_t i = 0; i < entries; ++i) {
      const Entry entry = entry_at(ifd + count_width + i * entry_width);
      if (entry.width > 0)
        need_array(entry.values_at, entry.count, entry.width,
                   "the values of tag " + std::to_string(entry.tag));
      if (entry.tag == 273 || entry.tag == 324) offsets = entry;  // StripOffsets, TileOffsets
      if (entry.tag == 279 || entry.tag == 325) counts = entry;   // Strip/TileByteCounts
    }
    if (!offsets || !counts || offsets->count != counts->count || offsets->width == 0 ||
        counts->width == 0)
      throw Error(Errc::media, "media: the tiff image directory names no image data");
    need_array(offsets->values_at, offsets->count, offsets->width,
               "the list of image data offsets");
    need_array(counts->values_at, counts->count, counts->width, "the list of image data sizes");
    for (std::uint64_t i = 0; i < offsets->count; ++i) {
      const std::uint64_t start = number(offsets->values_at + i * offsets->width, offsets->width);
      const std::uint64_t size = number(counts->values_at + i * counts->width, counts->width);
      need(start, size,
           "image data block " + std::to_string(i + 1) + " of " + std::to_string(offsets->count));
    }
  }

 private:
  struct Entry {
    unsigned tag;
    std::uint64_t count;
    std::uint64_t width;      // bytes per value
    std::uint64_t values_at;  // where the values are: in the entry when they fit, else elsewhere
  };

  std::uint64_t number(std::uint64_t at, std::uint64_t width) const {
    return read_uint(bytes_, at, width, big_endian_);
  }

  // Refuses the file unless `size` bytes from `start` are in it.
  void need(std::uint64_t start, std::uint64_t size, const std::string& what) const {
    if (start <= bytes_.size() && size <= bytes_.size() - start) return;
    truncated(ImageFormat::tiff, what + " (bytes " + std::to_string(start) + " to " +
                                     std::to_string(start + size) + ") lies past its end (" +
                                     std::to_string(bytes_.size()) + " bytes)");
  }

  // Bytes per value of a TIFF field type (TIFF 6.0 and BigTIFF); 0 for a type readers skip.
  static std::uint64_t type_width(std::uint64_t type) {
    switch (type) {
      case 1:
      case 2:
      case 6:
      case 7: return 1;  // BYTE, ASCII, SBYTE, UNDEFINED
      case 3:
      case 8: return 2;  // SHORT, SSHORT
      case 4:
      case 9:
      case 11:
      case 13: return 4;  // LONG, SLONG, FLOAT, IFD
      case 5:
      case 10:
      case 12:
      case 16:
      case 17:
      case 18: return 8;  // RATIONAL ... IFD8
      default: return 0;
    }
  }

  // need() for `count` values of `width` bytes, without overflowing on a hostile count.
  void need_array(std::uint64_t start, std::uint64_t count, std::uint64_t width,
                  const std::string& what) const {
    if (count > bytes_.size() / width) need(start, bytes_.size() + 1, what);
    need(start, count * width, what);
  }

  Entry entry_at(std::uint64_t at) const {
    Entry entry{};
    entry.tag = static_cast<unsigned>(number(at, 2));
    entry.width = type_width(number(at + 2, 2));
    entry.count = number(at + 4, offset_width_);
    const std::uint64_t value_field = at + 4 + offset_width_;
    // Values that fit in the entry's value field are stored there; an unknown type (width 0) is
    // ignored by readers and so here.
    const bool inline_values = entry.width == 0 || entry.count <= offset_width_ / entry.width;
    entry.values_at = inline_values ? value_field : number(value_field, offset_width_);
    return entry;
  }

  Bytes bytes_;
  bool big_endian_;
  bool big_tiff_;
  std::uint64_t offset_width_;
};

}  // namespace

void check_complete(std::span<const std::byte> bytes, ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return check_jpeg(bytes);
    case ImageFormat::png: return check_png(bytes);
    case ImageFormat::webp: return check_webp(bytes);
    case ImageFormat::gif: return check_gif(bytes);
    case ImageFormat::avif:
    case ImageFormat::heic: return check_iso_bmff(bytes, format);
    case ImageFormat::tiff: return TiffCheck(bytes).run();
  }
}

}  // namespace pindeck::media
