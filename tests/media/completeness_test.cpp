// SPDX-License-Identifier: Apache-2.0
// Completeness at ingest: real files of every format, cut at several points, are refused by the
// probe naming what is missing; whole files (and a JPEG with a camera's trailer) still pass.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <string>

#include "generated_images.hpp"
#include "media/completeness.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using test::Bytes;

struct Sample {
  ImageFormat format;
  const char* suffix;
  const char* missing;  // what the error names for a file cut short
};
constexpr std::array<Sample, 7> kSamples{{{ImageFormat::jpeg, ".jpg", "FF D9"},
                                          {ImageFormat::png, ".png", "IEND"},
                                          {ImageFormat::webp, ".webp", "RIFF header declares"},
                                          {ImageFormat::gif, ".gif", "trailer (00 3B)"},
                                          {ImageFormat::tiff, ".tif", "past its end"},
                                          {ImageFormat::avif, ".avif", "box"},
                                          {ImageFormat::heic, ".heic[compression=hevc]", "box"}}};

// Noise, so that every encoder (AV1 included) writes a file of tens of KiB worth cutting.
// Encoded once per format (HEIC and AVIF encoders take seconds).
Bytes encode_noise(const char* suffix) {
  media::start_vips();
  auto noise = test::make("gaussnoise", [](VipsImage** o) {
    return vips_gaussnoise(o, 640, 480, "mean", 128.0, "sigma", 40.0, nullptr);
  });
  VipsImage* planes[] = {noise.get(), noise.get(), noise.get()};
  auto rgb =
      test::make("bandjoin", [&](VipsImage** o) { return vips_bandjoin(planes, o, 3, nullptr); });
  auto bytes =
      test::make("cast", [&](VipsImage** o) { return vips_cast_uchar(rgb.get(), o, nullptr); });
  auto srgb = test::make("copy", [&](VipsImage** o) {
    return vips_copy(bytes.get(), o, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr);
  });
  return test::encode(srgb.get(), suffix);
}

const Bytes& sample_of(const Sample& sample) {
  static std::map<std::string, Bytes> encoded;
  auto [it, inserted] = encoded.try_emplace(sample.suffix);
  if (inserted) it->second = encode_noise(sample.suffix);
  return it->second;
}

Bytes prefix(const Bytes& whole, std::size_t size) {
  return Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
}

// The probe's error for `bytes`, or "" when it accepts them.
std::string probe_error(const Bytes& bytes) {
  try {
    probe(bytes);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media) << e.what();
    return e.what();
  }
  return {};
}

TEST(Completeness, WholeFilesOfEveryFormatPass) {
  for (const auto& sample : kSamples) {
    SCOPED_TRACE(sample.suffix);
    const Bytes whole = sample_of(sample);
    ASSERT_EQ(sniff_format(whole), sample.format);
    EXPECT_NO_THROW(check_complete(whole, sample.format));
    EXPECT_EQ(probe_error(whole), "");
  }
}

TEST(Completeness, FilesCutShortAreRefusedNamingWhatIsMissing) {
  for (const auto& sample : kSamples) {
    const Bytes whole = sample_of(sample);
    ASSERT_GT(whole.size(), 2048u) << sample.suffix << ": the sample is too small to cut";
    for (std::size_t cut :
         {std::size_t{1024}, whole.size() / 2, whole.size() - 2, whole.size() - 1}) {
      SCOPED_TRACE(std::string(sample.suffix) + " cut to " + std::to_string(cut) + " of " +
                   std::to_string(whole.size()) + " bytes");
      const std::string message = probe_error(prefix(whole, cut));
      EXPECT_NE(message.find("is truncated"), std::string::npos) << message;
      EXPECT_NE(message.find(sample.missing), std::string::npos) << message;
    }
  }
}

TEST(Completeness, AJpegCutInsideItsHeaderIsRefused) {
  const Bytes whole = sample_of(kSamples[0]);
  const std::string message = probe_error(prefix(whole, 100));
  EXPECT_NE(message.find("truncated: it ends inside its header"), std::string::npos) << message;
}

// Cameras write bytes after the end-of-image marker: MPF second pictures, Samsung trailers, the
// video of a motion photo (megabytes, more than the tail window). Those files are accepted.
TEST(Completeness, AJpegWithBytesAfterItsEndMarkerIsAccepted) {
  const Bytes whole = sample_of(kSamples[0]);
  for (std::size_t trailer : {std::size_t{16}, 3 * completeness_tail_bytes}) {
    SCOPED_TRACE("trailer of " + std::to_string(trailer) + " bytes");
    Bytes with_trailer = whole;
    for (std::size_t i = 0; i < trailer; ++i)
      with_trailer.push_back(static_cast<std::byte>((i * 7) % 251));
    EXPECT_EQ(probe_error(with_trailer), "");
    // The same file with its picture cut short but the trailer intact has no end marker at all.
    Bytes cut = prefix(whole, whole.size() / 2);
    cut.insert(cut.end(), with_trailer.begin() + static_cast<std::ptrdiff_t>(whole.size()),
               with_trailer.end());
    EXPECT_NE(probe_error(cut).find("FF D9"), std::string::npos);
  }
}

TEST(Completeness, WebpPaddingAfterTheDeclaredLengthIsAccepted) {
  Bytes padded = sample_of(kSamples[2]);
  padded.resize(padded.size() + 10, std::byte{0});
  EXPECT_EQ(probe_error(padded), "");
}

TEST(Completeness, HostileLengthsAreRefusedWithoutOverreading) {
  // An AVIF box claiming 2^64-1 bytes, and a TIFF whose first directory lies 2 GiB past its end.
  Bytes tiff = sample_of(kSamples[4]);
  Bytes avif = sample_of(kSamples[5]);
  std::memcpy(avif.data(), "\0\0\0\1", 4);            // ftyp with a 64-bit size...
  avif.insert(avif.begin() + 8, 8, std::byte{0xFF});  // ...of 2^64-1
  EXPECT_THROW(check_complete(avif, ImageFormat::avif), Error);
  const std::array<std::byte, 8> far_ifd{std::byte{'I'},  std::byte{'I'},  std::byte{42},
                                         std::byte{0},    std::byte{0xF0}, std::byte{0xFF},
                                         std::byte{0xFF}, std::byte{0x7F}};
  std::memcpy(tiff.data(), far_ifd.data(), far_ifd.size());
  const std::string message = [&] {
    try {
      check_complete(tiff, ImageFormat::tiff);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  EXPECT_NE(message.find("the first image directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace pindeck::media
