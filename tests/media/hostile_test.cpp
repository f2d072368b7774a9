// SPDX-License-Identifier: Apache-2.0
// Bad and hostile input: every one gets Error(Errc::media) with a message naming the problem, and
// nothing crashes (this suite also runs under ASan+UBSan).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "generated_images.hpp"
#include "media/derivatives.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using test::Bytes;
using test::decode;
using test::encode;
using test::gradient;

// Runs derive() and returns its error message; fails the test if it succeeds or throws anything
// but Error(Errc::media).
std::string derive_error(const Bytes& bytes, const DeriveOptions& options = {}) {
  try {
    derive(bytes, options);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media) << e.what();
    EXPECT_NE(std::string(e.what()).find("media: "), std::string::npos) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "derive() accepted " << bytes.size() << " bad bytes";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Bytes text_bytes(std::string_view text) {
  Bytes bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

struct Sample {
  const char* name;
  const char* suffix;
};
// Every supported format, as libvips writes it.
constexpr std::array<Sample, 7> kFormats{{{"jpg", ".jpg"},
                                          {"png", ".png"},
                                          {"webp", ".webp"},
                                          {"gif", ".gif"},
                                          {"tiff", ".tif"},
                                          {"avif", ".avif"},
                                          {"heic", ".heic[compression=hevc]"}}};

Bytes sample_of(const Sample& sample) {
  auto image = gradient(300, 200);
  return encode(image.get(), sample.suffix);
}

TEST(Hostile, EmptyInput) {
  EXPECT_TRUE(contains(derive_error({}), "empty (0 bytes)"));
}

TEST(Hostile, TextRenamedToJpgAndOtherNonImages) {
  for (const char* text : {"just some text in a file called photo.jpg\n",
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\"/>",
                           "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "<!doctype html><img src=x>",
                           "P5\n2 2\n255\n\x01\x02\x03\x04"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(contains(derive_error(text_bytes(text)), "not an image"));
  }
}

TEST(Hostile, UntrustedLoadersAreBlocked) {
  start_vips();
  // libvips would hand a PGM to ImageMagick and an SVG to librsvg; both are blocked.
  for (std::string_view text : {std::string_view("P5\n2 2\n255\n\x01\x02\x03\x04"),
                                std::string_view("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                                 "width=\"9\" height=\"9\"/>")}) {
    VipsImagePtr image(vips_image_new_from_buffer(text.data(), text.size(), "", nullptr));
    EXPECT_EQ(image, nullptr);
    EXPECT_TRUE(contains(vips_error_buffer(), "blocked")) << vips_error_buffer();
    vips_error_clear();
  }
}

TEST(Hostile, TruncatedFilesOfEveryFormat) {
  for (const auto& sample : kFormats) {
    const Bytes whole = sample_of(sample);
    ASSERT_NO_THROW(derive(whole)) << sample.name << " sample itself must be fine";
    for (std::size_t cut :
         {std::size_t{12}, whole.size() / 4, whole.size() / 2, whole.size() * 3 / 4}) {
      SCOPED_TRACE(std::string(sample.name) + " cut to " + std::to_string(cut) + " of " +
                   std::to_string(whole.size()) + " bytes");
      const Bytes cut_bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
      const std::string message = derive_error(cut_bytes);
      EXPECT_FALSE(message.empty());
    }
  }
}

// Finds `fourcc` in `bytes` from `from` on; throws if absent (the generated sample changed shape).
std::size_t find_tag(const Bytes& bytes, std::string_view tag, std::size_t from = 0) {
  for (std::size_t i = from; i + tag.size() <= bytes.size(); ++i)
    if (std::memcmp(bytes.data() + i, tag.data(), tag.size()) == 0) return i;
  throw std::runtime_error("no " + std::string(tag) + " in the generated sample");
}

// Offset of the first image descriptor (0x2C) of a GIF: after the header, the global colour
// table and any extension blocks.
std::size_t gif_image_descriptor(const Bytes& bytes) {
  std::size_t at = 13;
  const auto flags = std::to_integer<unsigned>(bytes.at(10));
  if (flags & 0x80) at += 3u << ((flags & 7) + 1);
  while (at < bytes.size() && bytes[at] == std::byte{0x21}) {
    at += 2;
    while (at < bytes.size() && bytes[at] != std::byte{0})
      at += std::to_integer<std::size_t>(bytes[at]) + 1;
    ++at;
  }
  if (at + 10 >= bytes.size() || bytes[at] != std::byte{0x2C})
    throw std::runtime_error("no image descriptor in the generated GIF");
  return at;
}

// Damages the structure each format's decoder depends on, leaving the signature intact.
void wreck_structure(const std::string& format, Bytes& bytes) {
  const auto set = [&](std::size_t at, std::initializer_list<int> values) {
    for (int v : values) bytes.at(at++) = static_cast<std::byte>(v);
  };
  if (format == "jpg") {
    set(find_tag(bytes, "\xFF\xC0") + 5, {0, 0, 0, 0});  // SOF0 declares 0x0 pixels
  } else if (format == "png") {
    set(find_tag(bytes, "IHDR") + 17, {0xDE, 0xAD, 0xBE, 0xEF});  // IHDR checksum
  } else if (format == "webp") {
    set(find_tag(bytes, "\x9D\x01\x2A"), {0, 0, 0});  // VP8 key-frame start code
  } else if (format == "gif") {
    const std::size_t descriptor = gif_image_descriptor(bytes);
    const auto flags = std::to_integer<unsigned>(bytes.at(descriptor + 9));
    const std::size_t local_table = (flags & 0x80) ? 3u << ((flags & 7) + 1) : 0;
    set(descriptor + 10 + local_table, {0x0F});  // LZW code size 15, above GIF's maximum of 12
  } else if (format == "tiff") {
    set(4, {0xF0, 0xFF, 0xFF, 0x7F});  // first IFD far past the end of the file
  } else {
    set(find_tag(bytes, "meta"), {'x', 'x', 'x', 'x'});  // HEIF without its meta box
  }
}

TEST(Hostile, CorruptStructureOfEveryFormat) {
  for (const auto& sample : kFormats) {
    SCOPED_TRACE(sample.name);
    Bytes bytes = sample_of(sample);
    wreck_structure(sample.name, bytes);
    derive_error(bytes);
  }
}

TEST(Hostile, RandomDamageNeverCrashes) {
  std::mt19937 random(20240611);
  for (const auto& sample : kFormats) {
    const Bytes whole = sample_of(sample);
    for (int round = 0; round < 25; ++round) {
      Bytes bytes = whole;
      std::uniform_int_distribution<std::size_t> where(0, bytes.size() - 1);
      for (int flips = 0; flips < 1 + round; ++flips)
        bytes[where(random)] = static_cast<std::byte>(random() & 0xFF);
      try {
        const DerivedSet set = derive(bytes);
        // When the damage is harmless the result must still be whole.
        EXPECT_EQ(set.derivatives.size(), 4u);
        for (const auto& d : set.derivatives) EXPECT_FALSE(d.bytes.empty());
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), Errc::media) << sample.name << ": " << e.what();
      }
    }
  }
}

// --- decompression bombs: tiny files that declare huge dimensions -----------------------------

std::uint32_t crc32(const std::byte* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= std::to_integer<std::uint32_t>(data[i]);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_be32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>(v >> shift));
}

void put_png_chunk(Bytes& out, const char* type, const Bytes& data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(type[i]));
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, crc32(out.data() + start, out.size() - start));
}

Bytes png_bomb(std::uint32_t width, std::uint32_t height) {
  Bytes out = text_bytes("\x89PNG\r\n\x1A\n");
  Bytes ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  for (int v : {8, 2, 0, 0, 0}) ihdr.push_back(static_cast<std::byte>(v));  // 8-bit RGB
  put_png_chunk(out, "IHDR", ihdr);
  put_png_chunk(out, "IDAT", text_bytes("\x78\x9C\x03\x00\x00\x00\x00\x01"));
  put_png_chunk(out, "IEND", {});
  return out;
}

Bytes jpeg_bomb() {
  auto image = gradient(16, 16);
  Bytes bytes = encode(image.get(), ".jpg");
  for (std::size_t i = 2; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == std::byte{0xFF} && bytes[i + 1] == std::byte{0xC0}) {
      // SOF0: FF C0, length (2), precision (1), height (2), width (2).
      for (std::size_t at : {i + 5, i + 7}) {
        bytes[at] = std::byte{0xEA};  // 60000
        bytes[at + 1] = std::byte{0x60};
      }
      return bytes;
    }
  }
  throw std::runtime_error("no SOF0 in the generated JPEG");
}

Bytes webp_bomb() {
  auto image = gradient(16, 16);
  Bytes bytes = encode(image.get(), ".webp[Q=50]");
  // VP8 key frame: 3-byte tag, 9D 01 2A, then 14-bit width and height: 16383 x 16383.
  const std::size_t frame = find_tag(bytes, "\x9D\x01\x2A") + 3;
  for (std::size_t at : {frame, frame + 2}) {
    bytes[at] = std::byte{0xFF};
    bytes[at + 1] = std::byte{0x3F};
  }
  // An extended file also states the canvas (24-bit width-1 and height-1): make it agree.
  if (std::memcmp(bytes.data() + 12, "VP8X", 4) == 0)
    for (std::size_t at : {24u, 27u}) {
      bytes[at] = std::byte{0xFE};
      bytes[at + 1] = std::byte{0x3F};
      bytes[at + 2] = std::byte{0};
    }
  return bytes;
}

Bytes gif_bomb() {
  auto image = gradient(16, 16);
  Bytes bytes = encode(image.get(), ".gif");
  auto set16 = [&](std::size_t at) {
    bytes[at] = std::byte{0xFF};
    bytes[at + 1] = std::byte{0xFF};
  };
  set16(6);  // logical screen 65535 x 65535
  set16(8);
  const std::size_t at = gif_image_descriptor(bytes);
  set16(at + 5);  // frame 65535 x 65535
  set16(at + 7);
  return bytes;
}

Bytes tiff_bomb() {
  Bytes out = text_bytes(std::string_view("II*\0\x08\0\0\0", 8));
  auto put16 = [&](std::uint32_t v) {
    out.push_back(static_cast<std::byte>(v));
    out.push_back(static_cast<std::byte>(v >> 8));
  };
  auto put32 = [&](std::uint32_t v) {
    put16(v & 0xFFFF);
    put16(v >> 16);
  };
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t value;
  };
  const Entry entries[] = {{256, 4, 100000}, {257, 4, 100000}, {258, 3, 8},
                           {259, 3, 1},      {262, 3, 1},      {273, 4, 200},
                           {277, 3, 1},      {278, 4, 100000}, {279, 4, 16}};
  put16(std::size(entries));
  for (const auto& e : entries) {
    put16(e.tag);
    put16(e.type);
    put32(1);
    put32(e.value);
  }
  put32(0);
  out.resize(216, std::byte{0x80});
  return out;
}

Bytes avif_bomb() {
  auto image = gradient(16, 16);
  Bytes bytes = encode(image.get(), ".avif");
  for (std::size_t i = 0; i + 16 < bytes.size(); ++i) {
    if (std::memcmp(bytes.data() + i, "ispe", 4) == 0) {
      // ispe: version and flags (4), width (4), height (4): 12000 x 12000 (libheif itself stops
      // at 16384 a side).
      Bytes size;
      put_be32(size, 12000);
      std::copy(size.begin(), size.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i + 8));
      std::copy(size.begin(), size.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i + 12));
      return bytes;
    }
  }
  throw std::runtime_error("no ispe box in the generated AVIF");
}

TEST(Hostile, DecompressionBombsAreRefusedBeforeDecoding) {
  const std::vector<std::pair<std::string, std::function<Bytes()>>> bombs{
      {"png", [] { return png_bomb(100000, 100000); }},
      {"jpg", jpeg_bomb},
      {"webp", webp_bomb},
      {"gif", gif_bomb},
      {"tiff", tiff_bomb},
      {"avif", avif_bomb}};
  for (const auto& [name, make] : bombs) {
    SCOPED_TRACE(name);
    const Bytes bomb = make();
    EXPECT_LT(bomb.size(), 4096u);
    // A decode would fail on the missing pixel data with another message: the limit came first.
    const std::string message = derive_error(bomb);
    EXPECT_TRUE(contains(message, "over the limit of 100000000")) << message;
  }
}

// The AVIF with the length of its first item's data set to zero: the container is whole, but the
// AV1 decoder is handed an empty payload. fuzz_media found that libheif 1.15 then leaks the
// packet inside libdav1d (tests/support/lsan_suppressions.c).
Bytes without_coded_data(Bytes bytes) {
  const auto at = [&](std::size_t i) { return std::to_integer<std::uint32_t>(bytes.at(i)); };
  for (std::size_t i = 4; i + 4 < bytes.size(); ++i) {
    if (std::memcmp(bytes.data() + i, "iloc", 4) != 0) continue;
    // iloc (ISO/IEC 14496-12 8.11.3): version and flags, then the field sizes in nibbles, the item
    // count, and per item its ID, [construction method,] data reference, base offset and extents.
    std::size_t p = i + 4;
    const std::uint32_t version = at(p);
    const std::size_t offset_size = at(p + 4) >> 4, length_size = at(p + 4) & 0xF;
    const std::size_t base_offset_size = at(p + 5) >> 4;
    const std::size_t index_size = version >= 1 ? (at(p + 5) & 0xF) : 0;
    p += 6 + (version < 2 ? 2 : 4);  // item count
    p += (version < 2 ? 2 : 4) + (version >= 1 ? 2 : 0) + 2 + base_offset_size;
    p += 2 + index_size + offset_size;  // extent count, first extent's index and offset
    for (std::size_t k = 0; k < length_size; ++k) bytes.at(p + k) = std::byte{0};
    return bytes;
  }
  throw std::runtime_error("no iloc box in the AVIF");
}

TEST(Hostile, AnAvifWithoutCodedDataIsSurvived) {
  auto image = gradient(16, 16);
  const Bytes whole = encode(image.get(), ".avif");
  ASSERT_NO_THROW(derive(whole));
  const Bytes damaged = without_coded_data(whole);
  ASSERT_NE(damaged, whole);
  // libvips 8.14 turns the decoder's refusal into black tiles and a warning rather than an error,
  // so both outcomes stand; under ASan this test shows the path is clean apart from that leak.
  try {
    EXPECT_EQ(derive(damaged).derivatives.size(), 4u);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media) << e.what();
  }
}

TEST(Hostile, PixelLimitIsConfigurable) {
  auto image = gradient(200, 100);  // 20 000 pixels
  const Bytes png = encode(image.get(), ".png");
  DeriveOptions options;
  options.limits.max_pixels = 19'999;
  EXPECT_TRUE(contains(derive_error(png, options), "20000 pixels, over the limit of 19999"));
  options.limits.max_pixels = 20'000;
  EXPECT_EQ(derive(png, options).derivatives.size(), 4u);
}

// Found by fuzz_media: a 11018x12 TIFF declaring 268 samples per pixel made libvips hold 1.8 GB.
TEST(Hostile, TiffWithMoreChannelsThanCmykAndAlphaIsRefused) {
  auto image = gradient(64, 16);
  VipsImage* many = nullptr;
  VipsImage* copies[] = {image.get(), image.get()};  // 3 + 3 bands
  ASSERT_EQ(vips_bandjoin(copies, &many, 2, nullptr), 0);
  const VipsImagePtr six(many);
  const Bytes tiff = encode(six.get(), ".tif");
  EXPECT_TRUE(
      contains(derive_error(tiff), "6 channels per pixel, more than the 5 of CMYK with alpha"))
      << derive_error(tiff);
  EXPECT_EQ(derive(encode(image.get(), ".tif")).derivatives.size(), 4u) << "3 channels are fine";
}

TEST(Hostile, AnimationWithThousandsOfFrames) {
  auto strip = test::animation(8, 8, 2500);
  const Bytes gif = encode(strip.get(), ".gif");
  EXPECT_TRUE(contains(derive_error(gif), "2500 frames, more than the limit of 1000"));

  DeriveOptions options;
  options.limits.max_frames = 3000;
  const DerivedSet set = derive(gif, options);
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    EXPECT_EQ(d.pages, 2500) << name_of(d.kind);
    EXPECT_EQ(d.width, 8) << name_of(d.kind);
  }
}

// --- unusual but valid images: converted to 8-bit sRGB ----------------------------------------

TEST(Unusual, CmykJpegBecomesSrgb) {
  // Pure magenta+yellow ink (C=0 M=255 Y=255 K=0) is a strong red.
  auto cmyk = test::solid(400, 300, {0, 255, 255, 0});
  VipsImage* tagged = nullptr;
  ASSERT_EQ(vips_copy(cmyk.get(), &tagged, "interpretation", VIPS_INTERPRETATION_CMYK, nullptr), 0);
  VipsImagePtr owned(tagged);
  const Bytes jpeg = encode(tagged, ".jpg");
  ASSERT_EQ(vips_image_get_bands(decode(jpeg).get()), 4);
  const DerivedSet set = derive(jpeg);
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    auto out = decode(d.bytes);
    EXPECT_EQ(vips_image_get_bands(out.get()), 3) << name_of(d.kind);
    EXPECT_GT(test::band_mean(out.get(), 0), 180) << name_of(d.kind);
    EXPECT_LT(test::band_mean(out.get(), 1), 90) << name_of(d.kind);
  }
  EXPECT_EQ(set.palette_sample.channels, 3);
}

TEST(Unusual, SixteenBitPngBecomesEightBit) {
  auto image = gradient(500, 400);
  VipsImage* wide = nullptr;
  ASSERT_EQ(vips_colourspace(image.get(), &wide, VIPS_INTERPRETATION_RGB16, nullptr), 0);
  VipsImagePtr owned(wide);
  const Bytes png16 = encode(wide, ".png");
  ASSERT_EQ(vips_image_get_format(decode(png16).get()), VIPS_FORMAT_USHORT);
  const DerivedSet set = derive(png16);
  EXPECT_EQ(set.derivatives[0].format, ImageFormat::png);
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    auto out = decode(d.bytes);
    EXPECT_EQ(vips_image_get_format(out.get()), VIPS_FORMAT_UCHAR) << name_of(d.kind);
    EXPECT_NEAR(test::band_mean(out.get(), 0), test::band_mean(image.get(), 0), 3)
        << name_of(d.kind);
  }
}

TEST(Unusual, IccProfileIsAppliedThenDropped) {
  // A mid green written in Display P3 numbers: read as sRGB numbers it would be another colour.
  auto srgb = test::solid(300, 300, {60, 160, 60});
  VipsImage* lab = nullptr;
  ASSERT_EQ(vips_icc_import(srgb.get(), &lab, "input_profile", "srgb", nullptr), 0);
  VipsImagePtr lab_owned(lab);
  VipsImage* p3 = nullptr;
  ASSERT_EQ(vips_icc_export(lab, &p3, "output_profile", "p3", nullptr), 0);
  VipsImagePtr owned(p3);
  const double p3_red = test::band_mean(p3, 0);
  ASSERT_GT(std::abs(p3_red - 60), 10) << "P3 and sRGB numbers should differ for this colour";
  const DerivedSet set = derive(encode(p3, ".png"));
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    auto out = decode(d.bytes);
    EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_ICC_NAME), 0u) << name_of(d.kind);
    EXPECT_NEAR(test::band_mean(out.get(), 0), 60, 4) << name_of(d.kind);
    EXPECT_NEAR(test::band_mean(out.get(), 1), 160, 4) << name_of(d.kind);
  }
  EXPECT_NEAR(set.palette_sample.pixels[0], 60, 4);
}

TEST(Unusual, GrayscaleImages) {
  auto grey = gradient(700, 500, 1);
  for (const char* suffix : {".jpg", ".png"}) {
    SCOPED_TRACE(suffix);
    const DerivedSet set = derive(encode(grey.get(), suffix));
    ASSERT_EQ(set.derivatives.size(), 4u);
    EXPECT_EQ(set.palette_sample.channels, 3);
    const int expected_widths[] = {640, 320, 700, 700};  // 768 and 1280 are not enlarged
    for (std::size_t i = 0; i < set.derivatives.size(); ++i) {
      EXPECT_EQ(set.derivatives[i].width, expected_widths[i]) << name_of(set.derivatives[i].kind);
      EXPECT_EQ(set.derivatives[i].height, std::lround(expected_widths[i] * 500.0 / 700));
    }
  }
}

TEST(Unusual, AlphaIsKeptInOutputsAndDroppedFromPaletteSample) {
  auto rgba = gradient(900, 600, 4);
  const DerivedSet set = derive(encode(rgba.get(), ".png"));
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    auto out = decode(d.bytes);
    EXPECT_EQ(vips_image_get_bands(out.get()), 4) << name_of(d.kind);
  }
  EXPECT_EQ(set.palette_sample.channels, 3);
}

}  // namespace
}  // namespace pindeck::media
