// SPDX-License-Identifier: Apache-2.0
// Palette speed. Peers measured in the same run:
//  - pixels: BM_BucketCountFloor, one pass that only counts pixels into the 36-level buckets (the
//    least any bucket palette must do), against BM_PaletteFromPixels on the same 160x160 vector;
//  - images: BM_ShrinkOnly, the libvips decode + shrink to 160 px alone, against
//    BM_PaletteFromImage (the same shrink plus the palette) on each sample image.
#include <benchmark/benchmark.h>
#include <vips/vips.h>

#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/palette.hpp"

namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kData = PINDECK_TEST_DATA;

// p31 is a 160x160 RGB sample, the size the server path feeds the palette.
void BM_PaletteFromPixels(benchmark::State& state) {
  const auto pixels = read_file(kData + "/palette/p31.raw");
  for (auto _ : state) {
    benchmark::DoNotOptimize(pindeck::media::palette_from_pixels(pixels, 160, 160, 3));
  }
  state.SetItemsProcessed(state.iterations() * 160 * 160);
}
BENCHMARK(BM_PaletteFromPixels);

void BM_BucketCountFloor(benchmark::State& state) {
  const auto pixels = read_file(kData + "/palette/p31.raw");
  std::vector<std::uint32_t> counts(37 * 37 * 37);
  for (auto _ : state) {
    std::fill(counts.begin(), counts.end(), 0);
    for (std::size_t i = 0; i + 3 <= pixels.size(); i += 3) {
      const auto q = [](std::uint8_t v) { return (v * 36 + 127) / 255; };
      ++counts[(q(pixels[i]) * 37 + q(pixels[i + 1])) * 37 + q(pixels[i + 2])];
    }
    benchmark::DoNotOptimize(counts.data());
  }
  state.SetItemsProcessed(state.iterations() * 160 * 160);
}
BENCHMARK(BM_BucketCountFloor);

const std::array<const char*, 5> kImages{"flow-5120x2880.jpg", "volna-5120x2880.jpg",
                                         "safelanding-5120x2880.jpg", "canopee-3840x2160.png",
                                         "truchet-l.webp"};

void BM_PaletteFromImage(benchmark::State& state) {
  const auto bytes = read_file(kData + "/images/" + kImages[state.range(0)]);
  state.SetLabel(kImages[state.range(0)]);
  for (auto _ : state) benchmark::DoNotOptimize(pindeck::media::palette_from_image(bytes));
}
BENCHMARK(BM_PaletteFromImage)->DenseRange(0, kImages.size() - 1)->Unit(benchmark::kMillisecond);

void BM_ShrinkOnly(benchmark::State& state) {
  const auto bytes = read_file(kData + "/images/" + kImages[state.range(0)]);
  state.SetLabel(kImages[state.range(0)]);
  pindeck::media::palette_from_image(bytes);  // starts libvips with the library's settings
  for (auto _ : state) {
    VipsImage* out = nullptr;
    if (vips_thumbnail_buffer(const_cast<std::uint8_t*>(bytes.data()), bytes.size(), &out, 160,
                              "height", 160, "size", VIPS_SIZE_DOWN, nullptr) != 0) {
      state.SkipWithError(vips_error_buffer());
      break;
    }
    std::size_t size = 0;
    void* memory = vips_image_write_to_memory(out, &size);
    benchmark::DoNotOptimize(memory);
    g_free(memory);
    g_object_unref(out);
  }
}
BENCHMARK(BM_ShrinkOnly)->DenseRange(0, kImages.size() - 1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
