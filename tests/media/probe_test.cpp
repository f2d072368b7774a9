// SPDX-License-Identifier: Apache-2.0
// Probe: format sniffed from bytes, dimensions, pages and orientation read from the header.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "generated_images.hpp"
#include "media/format.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using test::Bytes;
using test::encode;
using test::gradient;

// The bytes of a string literal, embedded NULs included, without the terminating NUL.
template <std::size_t N>
Bytes as_bytes(const char (&literal)[N]) {
  Bytes bytes(N - 1);
  std::memcpy(bytes.data(), literal, N - 1);
  return bytes;
}

TEST(Format, SniffsEachSignature) {
  EXPECT_EQ(sniff_format(as_bytes("\xFF\xD8\xFF\xE0")), ImageFormat::jpeg);
  EXPECT_EQ(sniff_format(as_bytes("\x89PNG\r\n\x1A\n....")), ImageFormat::png);
  EXPECT_EQ(sniff_format(as_bytes("RIFF\x10\0\0\0WEBPVP8 ")), ImageFormat::webp);
  EXPECT_EQ(sniff_format(as_bytes("GIF89a..")), ImageFormat::gif);
  EXPECT_EQ(sniff_format(as_bytes("GIF87a..")), ImageFormat::gif);
  EXPECT_EQ(sniff_format(as_bytes("II*\0\x08\0\0\0")), ImageFormat::tiff);
  EXPECT_EQ(sniff_format(as_bytes("MM\0*\0\0\0\x08")), ImageFormat::tiff);
  EXPECT_EQ(sniff_format(as_bytes("\0\0\0\x1C"
                                  "ftypavif\0\0\0\0mif1miaf")),
            ImageFormat::avif);
  EXPECT_EQ(sniff_format(as_bytes("\0\0\0\x18"
                                  "ftypheic\0\0\0\0mif1heic")),
            ImageFormat::heic);
  // A generic HEIF major brand with AVIF among the compatible brands is AVIF.
  EXPECT_EQ(sniff_format(as_bytes("\0\0\0\x18"
                                  "ftypmif1\0\0\0\0mif1avif")),
            ImageFormat::avif);
}

TEST(Format, RefusesLookalikes) {
  EXPECT_FALSE(sniff_format({}));
  EXPECT_FALSE(sniff_format(as_bytes("\xFF\xD8")));                // cut inside the signature
  EXPECT_FALSE(sniff_format(as_bytes("RIFF\x10\0\0\0WAVEfmt ")));  // RIFF, but audio
  EXPECT_FALSE(
      sniff_format(as_bytes("\0\0\0\x18"
                            "ftypmp42\0\0\0\0isommp42")));
  EXPECT_FALSE(sniff_format(as_bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")));
  EXPECT_FALSE(sniff_format(as_bytes("%PDF-1.7\n")));
}

TEST(Format, ExtensionsAndContentTypes) {
  EXPECT_EQ(extension(ImageFormat::jpeg), "jpg");
  EXPECT_EQ(extension(ImageFormat::tiff), "tiff");
  EXPECT_EQ(content_type(ImageFormat::webp), "image/webp");
  EXPECT_EQ(content_type(ImageFormat::heic), "image/heic");
}

TEST(Probe, ReadsJpegFacts) {
  auto image = gradient(300, 200);
  const ProbeResult facts = probe(encode(image.get(), ".jpg"));
  EXPECT_EQ(facts.format, ImageFormat::jpeg);
  EXPECT_EQ(facts.width, 300);
  EXPECT_EQ(facts.height, 200);
  EXPECT_EQ(facts.pages, 1);
  EXPECT_EQ(facts.orientation, 1);
  EXPECT_FALSE(facts.animated);
  EXPECT_FALSE(facts.has_alpha);
}

TEST(Probe, ReportsDisplayedSizeForRotatedJpeg) {
  auto image = gradient(300, 200);
  vips_image_set_int(image.get(), VIPS_META_ORIENTATION, 6);
  const ProbeResult facts = probe(encode(image.get(), ".jpg"));
  EXPECT_EQ(facts.orientation, 6);
  EXPECT_EQ(facts.width, 200);
  EXPECT_EQ(facts.height, 300);
}

TEST(Probe, ReadsPngWithAlpha) {
  auto image = gradient(64, 32, 4);
  const ProbeResult facts = probe(encode(image.get(), ".png"));
  EXPECT_EQ(facts.format, ImageFormat::png);
  EXPECT_EQ(facts.width, 64);
  EXPECT_EQ(facts.height, 32);
  EXPECT_TRUE(facts.has_alpha);
}

TEST(Probe, CountsFramesOfAnimatedGifAndWebp) {
  auto strip = test::animation(40, 30, 7);
  for (const char* suffix : {".gif", ".webp"}) {
    SCOPED_TRACE(suffix);
    const ProbeResult facts = probe(encode(strip.get(), suffix));
    EXPECT_EQ(facts.width, 40);
    EXPECT_EQ(facts.height, 30);
    EXPECT_EQ(facts.pages, 7);
    EXPECT_TRUE(facts.animated);
    EXPECT_EQ(facts.frames_to_decode(), 7);
  }
}

TEST(Probe, MultiPageTiffIsNotAnimated) {
  auto strip = test::animation(40, 30, 3);
  const ProbeResult facts = probe(encode(strip.get(), ".tif"));
  EXPECT_EQ(facts.format, ImageFormat::tiff);
  EXPECT_EQ(facts.pages, 3);
  EXPECT_FALSE(facts.animated);
  EXPECT_EQ(facts.frames_to_decode(), 1);
}

TEST(Probe, IgnoresWhatTheNameWouldSay) {
  // PNG bytes are PNG whatever a client called them; the probe never sees a name at all.
  auto image = gradient(10, 10);
  EXPECT_EQ(probe(encode(image.get(), ".png")).format, ImageFormat::png);
  EXPECT_EQ(probe(encode(image.get(), ".webp")).format, ImageFormat::webp);
  EXPECT_EQ(probe(encode(image.get(), ".gif")).format, ImageFormat::gif);
}

TEST(Probe, RefusesNonImagesClearly) {
  try {
    probe(as_bytes("this is a text file someone renamed to photo.jpg\n"));
    FAIL() << "text was accepted as an image";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_NE(std::string(e.what()).find("not an image"), std::string::npos) << e.what();
  }
  try {
    probe({});
    FAIL() << "empty input was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
}

TEST(Probe, EnforcesThePixelLimitAcrossFrames) {
  auto strip = test::animation(100, 100, 12);  // 10 000 pixels a frame, 120 000 in all
  const Bytes gif = encode(strip.get(), ".gif");
  DecodeLimits limits;
  limits.max_pixels = 100'000;
  try {
    probe(gif, limits);
    FAIL() << "12 frames over the limit were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_NE(std::string(e.what()).find("over the limit of 100000"), std::string::npos)
        << e.what();
  }
  limits.max_pixels = 120'000;
  EXPECT_EQ(probe(gif, limits).pages, 12);
}

TEST(Probe, EstimatesWholeImageBuffersOfProgressiveJpegAndInterlacedPng) {
  auto image = test::gradient(400, 300);
  EXPECT_EQ(probe(test::encode(image.get(), ".jpg")).whole_image_buffer_bytes, 0u);
  EXPECT_EQ(probe(test::encode(image.get(), ".jpg[interlace]")).whole_image_buffer_bytes,
            400u * 300u * 3u * 2u);
  EXPECT_EQ(probe(test::encode(image.get(), ".png")).whole_image_buffer_bytes, 0u);
  EXPECT_EQ(probe(test::encode(image.get(), ".png[interlace]")).whole_image_buffer_bytes,
            400u * 300u * 3u);
}

}  // namespace
}  // namespace pindeck::media
