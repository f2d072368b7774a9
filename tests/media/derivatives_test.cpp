// SPDX-License-Identifier: Apache-2.0
// Derivatives: sizes, formats, orientation, colour, metadata and animation of every output.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "expect_invalid.hpp"
#include "generated_images.hpp"
#include "media/decode_budget.hpp"
#include "media/derivatives.hpp"
#include "media/webp_metadata.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using test::Bytes;
using test::decode;
using test::encode;
using test::gradient;

const EncodedImage& find(const DerivedSet& set, DerivativeKind kind) {
  for (const auto& d : set.derivatives)
    if (d.kind == kind) return d;
  throw std::runtime_error("no derivative " + std::string(name_of(kind)));
}

// Checks that `d` says what its bytes hold: format, size, frame count.
void expect_consistent(const EncodedImage& d) {
  SCOPED_TRACE(std::string(name_of(d.kind)));
  ASSERT_FALSE(d.bytes.empty());
  EXPECT_EQ(sniff_format(d.bytes), d.format);
  EXPECT_EQ(d.content_type, content_type(d.format));
  auto image = decode(d.bytes);
  EXPECT_EQ(vips_image_get_width(image.get()), d.width);
  EXPECT_EQ(vips_image_get_page_height(image.get()), d.height);
  EXPECT_EQ(vips_image_get_height(image.get()) / vips_image_get_page_height(image.get()), d.pages);
}

TEST(Derivatives, DefaultSetFromALargeJpeg) {
  auto image = gradient(2000, 1000);
  const DerivedSet set = derive(encode(image.get(), ".jpg[Q=90]"));
  EXPECT_EQ(set.original.format, ImageFormat::jpeg);
  EXPECT_EQ(set.original.width, 2000);
  ASSERT_EQ(set.derivatives.size(), 4u);
  const std::vector<std::tuple<DerivativeKind, int, int, ImageFormat>> expected{
      {DerivativeKind::preview, 640, 320, ImageFormat::jpeg},
      {DerivativeKind::small, 320, 160, ImageFormat::webp},
      {DerivativeKind::medium, 768, 384, ImageFormat::webp},
      {DerivativeKind::large, 1280, 640, ImageFormat::webp}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [kind, width, height, format] = expected[i];
    const EncodedImage& d = set.derivatives[i];
    const std::string name(name_of(kind));
    EXPECT_EQ(d.kind, kind);
    EXPECT_EQ(d.width, width) << name;
    EXPECT_EQ(d.height, height) << name;
    EXPECT_EQ(d.format, format) << name;
    EXPECT_EQ(d.pages, 1);
    expect_consistent(d);
  }
}

TEST(Derivatives, PreviewKeepsPngAndWebpAndTurnsOthersIntoWebp) {
  auto image = gradient(900, 600);
  EXPECT_EQ(find(derive(encode(image.get(), ".png")), DerivativeKind::preview).format,
            ImageFormat::png);
  EXPECT_EQ(find(derive(encode(image.get(), ".webp")), DerivativeKind::preview).format,
            ImageFormat::webp);
  EXPECT_EQ(find(derive(encode(image.get(), ".tif")), DerivativeKind::preview).format,
            ImageFormat::webp);
  EXPECT_EQ(find(derive(encode(image.get(), ".gif")), DerivativeKind::preview).format,
            ImageFormat::webp);
  const DerivedSet png_set = derive(encode(image.get(), ".png"));
  ASSERT_EQ(png_set.derivatives.size(), 4u);
  for (const auto& d : png_set.derivatives) expect_consistent(d);
}

TEST(Derivatives, SmallOriginalIsNotEnlargedButEveryOutputExists) {
  auto image = gradient(200, 150);
  const DerivedSet set = derive(encode(image.get(), ".png"));
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) {
    EXPECT_EQ(d.width, 200) << name_of(d.kind);
    EXPECT_EQ(d.height, 150) << name_of(d.kind);
    expect_consistent(d);
  }
}

TEST(Derivatives, AppliesExifOrientation) {
  // Stored 1600x800 with orientation 6 (rotate 90° clockwise to display): displayed 800x1600.
  auto image = gradient(1600, 800);
  vips_image_set_int(image.get(), VIPS_META_ORIENTATION, 6);
  const DerivedSet set = derive(encode(image.get(), ".jpg"));
  EXPECT_EQ(set.original.width, 800);
  EXPECT_EQ(set.original.height, 1600);
  const EncodedImage& large = find(set, DerivativeKind::large);
  EXPECT_EQ(large.width, 800);  // narrower than 1280: not enlarged
  EXPECT_EQ(large.height, 1600);
  const EncodedImage& medium = find(set, DerivativeKind::medium);
  EXPECT_EQ(medium.width, 768);
  EXPECT_EQ(medium.height, 1536);
  // The gradient's red grows left to right as stored; after the rotation it grows top to bottom.
  auto decoded = decode(large.bytes);
  VipsImage* top = nullptr;
  VipsImage* bottom = nullptr;
  ASSERT_EQ(vips_crop(decoded.get(), &top, 0, 0, 800, 100, nullptr), 0);
  ASSERT_EQ(vips_crop(decoded.get(), &bottom, 0, 1500, 800, 100, nullptr), 0);
  VipsImagePtr top_owned(top), bottom_owned(bottom);
  EXPECT_LT(test::band_mean(top, 0) + 150, test::band_mean(bottom, 0));
}

// An 800x600 image carrying EXIF (an Artist tag), an sRGB ICC profile and an XMP packet, for
// every saver to write into the original.
VipsImagePtr image_with_metadata() {
  auto plain = gradient(800, 600);
  vips_image_set_int(plain.get(), VIPS_META_ORIENTATION, 1);
  vips_image_set_string(plain.get(), "exif-ifd0-Artist", "Someone Private");
  // The JPEG saver builds an EXIF block from the exif-* fields; decoding keeps it as a blob that
  // every other saver writes as it is. Decoding is lazy: copy the pixels before the bytes go.
  const Bytes jpeg = encode(plain.get(), ".jpg[Q=95]");
  VipsImagePtr with_exif(vips_image_copy_memory(decode(jpeg).get()));
  if (!with_exif) throw std::runtime_error(std::string("copy: ") + vips_error_buffer());
  auto tagged = test::make("icc", [&](VipsImage** out) {
    return vips_icc_transform(with_exif.get(), out, "srgb", "input_profile", "srgb", nullptr);
  });
  static const std::string xmp =
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
      "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"Someone Private\"/>"
      "</rdf:RDF></x:xmpmeta>";
  vips_image_set_blob_copy(tagged.get(), VIPS_META_XMP_NAME, xmp.data(), xmp.size());
  return tagged;
}

TEST(Derivatives, StripsMetadata) {
  auto image = image_with_metadata();
  for (const char* suffix : {".jpg", ".png", ".webp"}) {
    SCOPED_TRACE(suffix);
    const Bytes original = encode(image.get(), suffix);
    auto in = decode(original);
    for (const char* field : {VIPS_META_EXIF_NAME, VIPS_META_ICC_NAME, VIPS_META_XMP_NAME}) {
      ASSERT_NE(vips_image_get_typeof(in.get(), field), 0u) << "the original lacks " << field;
    }
    const DerivedSet set = derive(original);
    ASSERT_EQ(set.derivatives.size(), 4u);
    for (const auto& d : set.derivatives) {
      auto out = decode(d.bytes);
      EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_EXIF_NAME), 0u) << name_of(d.kind);
      EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_ICC_NAME), 0u) << name_of(d.kind);
      EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_XMP_NAME), 0u) << name_of(d.kind);
    }
  }
}

TEST(WebpMetadata, StripRemovesExifIccAndXmpChunksAndKeepsPixels) {
  auto image = gradient(64, 48);
  VipsImage* tagged = nullptr;
  ASSERT_EQ(vips_icc_export(image.get(), &tagged, "output_profile", "p3", nullptr), 0);
  VipsImagePtr owned(tagged);
  vips_image_set_string(tagged, "exif-ifd0-Artist", "Someone Private");
  Bytes webp = encode(tagged, ".webp");
  const auto has_chunk = [](const Bytes& b, const char* fourcc) {
    for (std::size_t i = 12; i + 4 <= b.size(); ++i)
      if (std::memcmp(b.data() + i, fourcc, 4) == 0) return true;
    return false;
  };
  ASSERT_TRUE(has_chunk(webp, "ICCP"));
  ASSERT_TRUE(has_chunk(webp, "EXIF"));
  const double red_before = test::band_mean(decode(webp).get(), 0);
  strip_webp_metadata(webp);
  EXPECT_FALSE(has_chunk(webp, "ICCP"));
  EXPECT_FALSE(has_chunk(webp, "EXIF"));
  auto after = decode(webp);
  EXPECT_EQ(vips_image_get_width(after.get()), 64);
  EXPECT_EQ(vips_image_get_typeof(after.get(), VIPS_META_ICC_NAME), 0u);
  EXPECT_NEAR(test::band_mean(after.get(), 0), red_before, 0.01);

  Bytes not_webp = encode(image.get(), ".png");
  const Bytes copy = not_webp;
  strip_webp_metadata(not_webp);
  EXPECT_EQ(not_webp, copy);
}

TEST(Derivatives, KeepsAnimationOfGifAndWebp) {
  auto strip = test::animation(400, 300, 6);
  for (const char* suffix : {".gif", ".webp"}) {
    SCOPED_TRACE(suffix);
    const DerivedSet set = derive(encode(strip.get(), suffix));
    EXPECT_TRUE(set.original.animated);
    ASSERT_EQ(set.derivatives.size(), 4u);
    for (const auto& d : set.derivatives) {
      EXPECT_EQ(d.format, ImageFormat::webp) << name_of(d.kind);
      EXPECT_EQ(d.pages, 6) << name_of(d.kind);
      expect_consistent(d);
    }
    EXPECT_EQ(find(set, DerivativeKind::small).width, 320);
    EXPECT_EQ(find(set, DerivativeKind::small).height, 240);
    EXPECT_EQ(find(set, DerivativeKind::large).width, 400);
  }
}

TEST(Derivatives, ConfiguredSetWithFixedRatioCrop) {
  DeriveOptions options;
  options.derivatives = {{DerivativeKind::small, 100, false, 70, 80},
                         {DerivativeKind::large, 300, false, 70, 80}};
  options.crop = CropRatio{1, 1};
  auto image = gradient(1200, 600);
  const DerivedSet set = derive(encode(image.get(), ".png"), options);
  ASSERT_EQ(set.derivatives.size(), 2u);
  EXPECT_EQ(set.derivatives[0].width, 100);
  EXPECT_EQ(set.derivatives[0].height, 100);
  EXPECT_EQ(set.derivatives[1].width, 300);
  EXPECT_EQ(set.derivatives[1].height, 300);
  for (const auto& d : set.derivatives) expect_consistent(d);

  // An original smaller than the crop box still comes out in the configured ratio.
  options.crop = CropRatio{16, 9};
  auto small = gradient(200, 200);
  const DerivedSet cropped = derive(encode(small.get(), ".png"), options);
  EXPECT_EQ(cropped.derivatives[1].width, 200);
  EXPECT_EQ(cropped.derivatives[1].height, 113);
}

TEST(Derivatives, QualitySettingChangesTheBytes) {
  auto image = gradient(1000, 700);
  const Bytes png = encode(image.get(), ".png");
  DeriveOptions low;
  low.derivatives = {{DerivativeKind::large, 640, false, 10, 80}};
  DeriveOptions high;
  high.derivatives = {{DerivativeKind::large, 640, false, 95, 80}};
  EXPECT_LT(derive(png, low).derivatives[0].bytes.size(),
            derive(png, high).derivatives[0].bytes.size());
}

TEST(Derivatives, RefusesNonsenseOptions) {
  auto image = gradient(100, 100);
  const Bytes png = encode(image.get(), ".png");
  DeriveOptions options;
  options.derivatives = {{DerivativeKind::small, 0, false, 82, 80}};
  test::expect_invalid([&] { derive(png, options); }, "");
  options.derivatives = {{DerivativeKind::small, 100, false, 0, 80}};
  test::expect_invalid([&] { derive(png, options); }, "");
  options.derivatives = {{DerivativeKind::small, 100, false, 82, 80},
                         {DerivativeKind::small, 200, false, 82, 80}};
  test::expect_invalid([&] { derive(png, options); }, "");  // a kind twice
  options = {};
  options.derivatives.clear();
  test::expect_invalid([&] { derive(png, options); }, "");
  options = {};
  options.crop = CropRatio{0, 1};
  test::expect_invalid([&] { derive(png, options); }, "");
}

TEST(Derivatives, PaletteSampleFitsIn160AndDropsAlpha) {
  auto image = test::solid(1600, 900, {200, 30, 40, 128});
  const DerivedSet set = derive(encode(image.get(), ".png"));
  const PixelSample& sample = set.palette_sample;
  EXPECT_EQ(sample.width, 160);
  EXPECT_EQ(sample.height, 90);
  EXPECT_EQ(sample.channels, 3);
  ASSERT_EQ(sample.pixels.size(), 160u * 90u * 3u);
  for (std::size_t i = 0; i < sample.pixels.size(); i += 3) {
    ASSERT_EQ(sample.pixels[i], 200);
    ASSERT_EQ(sample.pixels[i + 1], 30);
    ASSERT_EQ(sample.pixels[i + 2], 40);
  }
}

TEST(Derivatives, PaletteSampleOfTallAnimationUsesFirstFrame) {
  auto strip = test::animation(320, 200, 4);
  const DerivedSet set = derive(encode(strip.get(), ".webp"));
  EXPECT_EQ(set.palette_sample.width, 160);
  EXPECT_EQ(set.palette_sample.height, 100);
}

// Waits up to `window` for `done`; true if it became true.
bool becomes_true(const std::atomic<bool>& done, std::chrono::milliseconds window) {
  const auto give_up = std::chrono::steady_clock::now() + window;
  while (!done && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done;
}

TEST(DecodeBudget, LargeDecodesWaitForEachOther) {
  DecodeBudget budget(100);
  std::atomic<bool> second_started{false};
  std::atomic<std::uint64_t> in_use_seen_by_second{0};
  {
    std::optional<DecodeBudget::Lease> first(budget.acquire(80));
    EXPECT_EQ(budget.in_use(), 80u);
    { auto small = budget.acquire(20); }  // fits next to the first: no wait
    std::jthread second([&] {
      auto lease = budget.acquire(80);
      in_use_seen_by_second = budget.in_use();
      second_started = true;
    });
    EXPECT_FALSE(becomes_true(second_started, std::chrono::milliseconds(300)))
        << "80 + 80 exceeds 100: the second must wait";
    first.reset();
    EXPECT_TRUE(becomes_true(second_started, std::chrono::seconds(10)))
        << "the second goes once the first is released";
  }
  EXPECT_EQ(in_use_seen_by_second, 80u) << "the second held its lease alongside the first";
  EXPECT_EQ(budget.in_use(), 0u);
  // Larger than the whole budget: goes alone instead of waiting forever.
  { auto huge = budget.acquire(1000); }
  { auto none = budget.acquire(0); }
  EXPECT_EQ(budget.in_use(), 0u);
}

// derive() takes its decode from the process budget: while something else holds all of it, a
// progressive JPEG (whose decode holds the whole image) waits, and goes once it is released. The
// wait is judged against three times what the same derive takes with the budget free.
TEST(Derivatives, WholeImageDecodeWaitsWhileTheBudgetIsHeld) {
  auto image = gradient(1600, 900);
  const Bytes progressive = encode(image.get(), ".jpg[interlace]");
  const auto started = std::chrono::steady_clock::now();
  ASSERT_GT(derive(progressive).original.whole_image_buffer_bytes, 0u);
  const auto free_run = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);

  DecodeBudget& budget = DecodeBudget::process();
  constexpr std::uint64_t kCapacity = std::uint64_t{64} << 20;
  struct RestoreCapacity {
    DecodeBudget& budget;
    ~RestoreCapacity() { budget.set_capacity(std::uint64_t{128} << 20); }  // the default
  } restore{budget};
  budget.set_capacity(kCapacity);
  std::optional<DecodeBudget::Lease> everything(budget.acquire(kCapacity));
  std::atomic<bool> derived{false};
  std::jthread derivation([&] {
    try {
      derive(progressive);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    derived = true;
  });
  EXPECT_FALSE(becomes_true(derived, 3 * free_run + std::chrono::milliseconds(200)))
      << "derive() decoded while the whole budget was held elsewhere";
  everything.reset();
  EXPECT_TRUE(becomes_true(derived, std::chrono::seconds(60))) << "derive() never went on";
  derivation.join();
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(Derivatives, ProgressiveJpegDecodesWithinTheBudget) {
  auto image = gradient(1600, 900);
  const Bytes progressive = encode(image.get(), ".jpg[interlace]");
  const DerivedSet set = derive(progressive);
  EXPECT_EQ(set.original.whole_image_buffer_bytes, 1600u * 900u * 3u * 2u);
  EXPECT_EQ(find(set, DerivativeKind::large).width, 1280);
  EXPECT_EQ(DecodeBudget::process().in_use(), 0u) << "the lease must end with the decode";
}

// The outputs other than the widest are shrunk while the decode is still writing rows; made that
// way they must be exactly what the same shrinks of the finished decode give (encode_threads 1
// decodes everything first). A read of rows not yet decoded would show here.
TEST(Derivatives, ShrinksDuringTheDecodeMatchShrinksAfterIt) {
  auto wide = gradient(2600, 1500);
  auto with_alpha = gradient(1900, 1100, 4);
  auto strip = test::animation(700, 400, 5);
  DeriveOptions square;
  square.crop = CropRatio{1, 1};
  const std::vector<std::tuple<std::string, Bytes, DeriveOptions>> cases{
      {"baseline jpg", encode(wide.get(), ".jpg[Q=90]"), {}},
      {"progressive jpg", encode(wide.get(), ".jpg[interlace]"), {}},
      {"png with alpha", encode(with_alpha.get(), ".png"), {}},
      {"webp", encode(wide.get(), ".webp"), {}},
      {"animated gif", encode(strip.get(), ".gif"), {}},
      {"jpg cropped square", encode(wide.get(), ".jpg"), square},
  };
  for (const auto& [name, bytes, options] : cases) {
    SCOPED_TRACE(name);
    DeriveOptions after_decode = options;
    after_decode.encode_threads = 1;
    const DerivedSet streamed = derive(bytes, options);
    const DerivedSet whole = derive(bytes, after_decode);
    ASSERT_EQ(streamed.derivatives.size(), whole.derivatives.size());
    for (std::size_t i = 0; i < whole.derivatives.size(); ++i) {
      const std::string kind(name_of(whole.derivatives[i].kind));
      EXPECT_EQ(streamed.derivatives[i].width, whole.derivatives[i].width) << kind;
      EXPECT_EQ(streamed.derivatives[i].pages, whole.derivatives[i].pages) << kind;
      EXPECT_TRUE(streamed.derivatives[i].bytes == whole.derivatives[i].bytes) << kind;
    }
    EXPECT_EQ(streamed.palette_sample.pixels, whole.palette_sample.pixels);
    EXPECT_EQ(streamed.palette_sample.width, whole.palette_sample.width);
  }
}

// A decode that fails part way through, while the other outputs' shrinks are waiting for its
// rows: derive() reports the damage (not a hang, not a shrink's error), frees its decode budget,
// and the next derive() works.
TEST(Derivatives, DecodeFailingPartWayFailsTheWholeSet) {
  auto image = gradient(3000, 2000);
  const Bytes whole = encode(image.get(), ".png");
  // Damaged halfway through the compressed pixels: the header (all probe reads) is intact, and the
  // decode fails on that chunk's checksum after the rows above it were handed out.
  Bytes damaged = whole;
  for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 16; ++i)
    damaged[i] = ~damaged[i];
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE("encode_threads " + std::to_string(threads));
    DeriveOptions options;
    options.encode_threads = threads;
    try {
      derive(damaged, options);
      ADD_FAILURE() << "derive() accepted a damaged PNG";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::media) << e.what();
      EXPECT_NE(std::string(e.what()).find("cannot decode the pixels of the png image"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(DecodeBudget::process().in_use(), 0u);
  }
  EXPECT_EQ(find(derive(whole), DerivativeKind::large).width, 1280);
}

TEST(Derivatives, RealWallpaperJpeg) {
  std::ifstream file(PINDECK_TEST_DATA "/images/flow-5120x2880.jpg", std::ios::binary);
  ASSERT_TRUE(file) << "tests/data/images is missing";
  const Bytes bytes([&] {
    std::vector<char> raw((std::istreambuf_iterator<char>(file)), {});
    Bytes out(raw.size());
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }());
  const DerivedSet set = derive(bytes);
  EXPECT_EQ(set.original.width, 5120);
  EXPECT_EQ(find(set, DerivativeKind::large).width, 1280);
  EXPECT_EQ(find(set, DerivativeKind::large).height, 720);
  EXPECT_EQ(find(set, DerivativeKind::preview).format, ImageFormat::jpeg);
  EXPECT_EQ(set.palette_sample.width, 160);
  EXPECT_EQ(set.palette_sample.height, 90);
  ASSERT_EQ(set.derivatives.size(), 4u);
  for (const auto& d : set.derivatives) expect_consistent(d);
}

}  // namespace
}  // namespace pindeck::media
