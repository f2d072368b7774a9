// SPDX-License-Identifier: Apache-2.0
// The palette against Pindeck's golden vectors (tests/data/palette), plus its argument checks and
// the image path through libvips.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "media/palette.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

const std::string kPaletteDir = std::string(PINDECK_TEST_DATA) + "/palette/";

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct GoldenVector {
  std::string file;
  std::size_t width = 0;
  std::size_t height = 0;
  int channels = 0;
  std::vector<std::string> expected;
};

// Names the vector in test listings instead of gtest's byte dump.
void PrintTo(const GoldenVector& v, std::ostream* os) {
  *os << v.file;
}

std::vector<GoldenVector> golden_vectors() {
  const auto doc = nlohmann::json::parse(read_file(kPaletteDir + "expected.json"));
  std::vector<GoldenVector> out;
  for (const auto& v : doc) {
    out.push_back({v.at("file"), v.at("width"), v.at("height"), v.at("channels"),
                   v.at("expected").get<std::vector<std::string>>()});
  }
  return out;
}

class PaletteGolden : public testing::TestWithParam<GoldenVector> {};

TEST_P(PaletteGolden, MatchesTheReferenceExactlyAndInOrder) {
  const GoldenVector& v = GetParam();
  const auto pixels = read_file(kPaletteDir + v.file);
  EXPECT_EQ(palette_from_pixels(pixels, v.width, v.height, v.channels), v.expected);
}

INSTANTIATE_TEST_SUITE_P(Vectors, PaletteGolden, testing::ValuesIn(golden_vectors()),
                         [](const testing::TestParamInfo<GoldenVector>& vector) {
                           return vector.param.file.substr(0, vector.param.file.find('.'));
                         });

TEST(PaletteGoldenSet, HoldsEveryKindOfVector) {
  // Guards against a truncated expected.json silently shrinking the suite above.
  const auto vectors = golden_vectors();
  EXPECT_GE(vectors.size(), 43u);
  const auto count = [&](char kind) {
    return std::count_if(vectors.begin(), vectors.end(),
                         [&](const GoldenVector& v) { return v.file[0] == kind; });
  };
  EXPECT_GT(count('p'), 0);
  EXPECT_GT(count('b'), 0);
  EXPECT_GT(count('s'), 0);
}

std::vector<std::uint8_t> solid(std::size_t pixels, std::array<std::uint8_t, 3> rgb) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < pixels; ++i) out.insert(out.end(), rgb.begin(), rgb.end());
  return out;
}

TEST(Palette, TwoFlatHalvesGiveTwoColoursMoreSaturatedFirst) {
  auto pixels = solid(50, {220, 40, 40});
  const auto blue = solid(50, {30, 60, 200});
  pixels.insert(pixels.end(), blue.begin(), blue.end());
  EXPECT_EQ(palette_from_pixels(pixels, 10, 10, 3),
            (std::vector<std::string>{"#1e3cc8", "#dc2828"}));
}

TEST(Palette, GraysBlacksAndWhitesHaveNoColour) {
  for (const auto rgb :
       {std::array<std::uint8_t, 3>{128, 128, 128}, {0, 0, 0}, {250, 252, 255}, {40, 20, 60}}) {
    EXPECT_TRUE(palette_from_pixels(solid(64, rgb), 8, 8, 3).empty());
  }
}

TEST(Palette, IgnoresTransparentPixels) {
  std::vector<std::uint8_t> rgba;
  for (int i = 0; i < 64; ++i) {
    const bool transparent = i < 40;
    const std::array<std::uint8_t, 4> px = transparent
                                               ? std::array<std::uint8_t, 4>{255, 0, 255, 127}
                                               : std::array<std::uint8_t, 4>{40, 180, 90, 128};
    rgba.insert(rgba.end(), px.begin(), px.end());
  }
  EXPECT_EQ(palette_from_pixels(rgba, 8, 8, 4), (std::vector<std::string>{"#28b45a"}));
}

TEST(Palette, HonoursTopN) {
  const auto pixels = read_file(kPaletteDir + "p01.raw");
  PaletteOptions options;
  options.top_n = 2;
  EXPECT_EQ(palette_from_pixels(pixels, 160, 90, 3, options),
            (std::vector<std::string>{"#81cbfe", "#aaeaff"}));
}

void expect_invalid(const std::function<void()>& call, const std::string& message_part) {
  try {
    call();
    ADD_FAILURE() << "expected Error(invalid) mentioning \"" << message_part << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

TEST(Palette, RefusesBadArguments) {
  const std::vector<std::uint8_t> px(48, 100);
  expect_invalid([&] { palette_from_pixels(px, 4, 4, 2); }, "channels");
  expect_invalid([&] { palette_from_pixels(px, 0, 4, 3); }, "width and height");
  expect_invalid([&] { palette_from_pixels(px, 4, 5, 3); }, "48 bytes");
  expect_invalid([&] { palette_from_pixels(px, SIZE_MAX / 2, 3, 4); }, "overflows");
  PaletteOptions options;
  options.top_n = 0;
  expect_invalid([&] { palette_from_pixels(px, 4, 4, 3, options); }, "top_n");
  options = {};
  options.quantize_levels = 0;
  expect_invalid([&] { palette_from_pixels(px, 4, 4, 3, options); }, "quantize_levels");
  options = {};
  options.min_share = 1.5;
  expect_invalid([&] { palette_from_pixels(px, 4, 4, 3, options); }, "min_share");
  options = {};
  options.min_lab_delta = -1;
  expect_invalid([&] { palette_from_pixels(px, 4, 4, 3, options); }, "min_lab_delta");
}

// Encodes pixels with libvips, so the image path is tested on real encoded files.
std::vector<std::uint8_t> encode(const std::vector<std::uint8_t>& pixels, int width, int height,
                                 int bands, const char* suffix) {
  VipsImage* image = vips_image_new_from_memory_copy(pixels.data(), pixels.size(), width, height,
                                                     bands, VIPS_FORMAT_UCHAR);
  if (image == nullptr) throw std::runtime_error(vips_error_buffer());
  void* buffer = nullptr;
  std::size_t size = 0;
  const int rc = vips_image_write_to_buffer(image, suffix, &buffer, &size, nullptr);
  g_object_unref(image);
  if (rc != 0) throw std::runtime_error(vips_error_buffer());
  std::vector<std::uint8_t> out(static_cast<std::uint8_t*>(buffer),
                                static_cast<std::uint8_t*>(buffer) + size);
  g_free(buffer);
  return out;
}

// The sample images are the originals of some golden vectors: decoding and shrinking them here
// must give the very palette the reference computed from its own 160 px sample.
struct ImageAndVector {
  const char* image;
  const char* vector;
};

void PrintTo(const ImageAndVector& p, std::ostream* os) {
  *os << p.image;
}

class PaletteOfOriginal : public testing::TestWithParam<ImageAndVector> {};

TEST_P(PaletteOfOriginal, EqualsTheGoldenVectorOfTheSameImage) {
  const auto vectors = golden_vectors();
  const auto golden = std::find_if(vectors.begin(), vectors.end(), [&](const GoldenVector& v) {
    return v.file == GetParam().vector;
  });
  ASSERT_NE(golden, vectors.end());
  const auto bytes = read_file(std::string(PINDECK_TEST_DATA) + "/images/" + GetParam().image);
  EXPECT_EQ(palette_from_image(bytes), golden->expected);
}

INSTANTIATE_TEST_SUITE_P(Images, PaletteOfOriginal,
                         testing::Values(ImageAndVector{"canopee-3840x2160.png", "p04.raw"},
                                         ImageAndVector{"flow-5120x2880.jpg", "p13.raw"},
                                         ImageAndVector{"volna-5120x2880.jpg", "p29.raw"}),
                         [](const testing::TestParamInfo<ImageAndVector>& image) {
                           return std::string(image.param.vector, 3);
                         });

TEST(PaletteImage, RefusesTruncatedFiles) {
  for (const char* name : {"canopee-3840x2160.png", "flow-5120x2880.jpg", "truchet-l.webp"}) {
    const auto bytes = read_file(std::string(PINDECK_TEST_DATA) + "/images/" + name);
    for (const std::size_t keep : {std::size_t{100}, bytes.size() / 2}) {
      try {
        palette_from_image(std::span(bytes).first(keep));
        ADD_FAILURE() << name << " cut to " << keep << " bytes was accepted";
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), Errc::media) << name;
      }
    }
  }
}

TEST(PaletteImage, DropsAlphaRatherThanSkippingTransparentPixels) {
  // The server path drops the alpha band like Pindeck's sharp pipeline: transparent magenta
  // still counts there, unlike in palette_from_pixels on RGBA.
  std::vector<std::uint8_t> rgba;
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 40; ++x) {
      const std::array<std::uint8_t, 4> px = y < 20 ? std::array<std::uint8_t, 4>{200, 30, 200, 0}
                                                    : std::array<std::uint8_t, 4>{40, 180, 90, 255};
      rgba.insert(rgba.end(), px.begin(), px.end());
    }
  }
  const auto colors = palette_from_image(encode(rgba, 40, 40, 4, ".png"));
  EXPECT_EQ(colors, (std::vector<std::string>{"#c81ec8", "#28b45a"}));
}

TEST(PaletteImage, SamplesTheFlatColoursOfALargeImage) {
  // 400x200 of two flat colours: shrunk to 160x80; the blend column at the seam is under 1%
  // of the pixels and close to both colours, so only the two colours remain.
  std::vector<std::uint8_t> rgb;
  for (int y = 0; y < 200; ++y) {
    for (int x = 0; x < 400; ++x) {
      const std::array<std::uint8_t, 3> px = x < 300 ? std::array<std::uint8_t, 3>{30, 60, 200}
                                                     : std::array<std::uint8_t, 3>{220, 180, 40};
      rgb.insert(rgb.end(), px.begin(), px.end());
    }
  }
  const auto colors = palette_from_image(encode(rgb, 400, 200, 3, ".png"));
  ASSERT_GE(colors.size(), 2u);
  EXPECT_EQ(colors[0], "#1e3cc8");
  EXPECT_EQ(colors[1], "#dcb428");
}

TEST(PaletteImage, RefusesWhatIsNotAnImage) {
  const std::string text = "this is a text file renamed photo.jpg";
  try {
    palette_from_image({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    ADD_FAILURE() << "text was accepted as an image";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
  }
  try {
    palette_from_image({});
    ADD_FAILURE() << "zero bytes were accepted as an image";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
}

TEST(PaletteImage, RefusesImagesOverThePixelLimitBeforeDecoding) {
  const auto bytes = read_file(std::string(PINDECK_TEST_DATA) + "/images/canopee-3840x2160.png");
  try {
    palette_from_image(bytes, {}, 1'000'000);
    ADD_FAILURE() << "an 8.3 megapixel image passed a 1 megapixel limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_NE(std::string(e.what()).find("8294400"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pindeck::media
