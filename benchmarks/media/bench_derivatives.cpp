// SPDX-License-Identifier: Apache-2.0
// The full derivative set per image of tests/data/images: one image at a time and two at a time.
// Counters: images/s and the process's peak resident memory so far (run one benchmark per process,
// --benchmark_filter, to read it per case).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "media/derivatives.hpp"
#include "media/palette.hpp"
#include "read_original.hpp"

namespace {

using pindeck::media::derive;
using pindeck::media::DerivedSet;
using pindeck::media::palette_from_pixels;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Everything the persistence pipeline computes from one original.
void full_set(const std::vector<std::byte>& original) {
  DerivedSet set = derive(original);
  const auto& sample = set.palette_sample;
  auto colors = palette_from_pixels(sample.pixels, static_cast<std::size_t>(sample.width),
                                    static_cast<std::size_t>(sample.height), sample.channels);
  benchmark::DoNotOptimize(set);
  benchmark::DoNotOptimize(colors);
}

void BM_FullSet(benchmark::State& state, const std::vector<std::byte>* original) {
  for (auto _ : state) full_set(*original);
  state.SetItemsProcessed(state.iterations());
  state.counters["peak_rss_MiB"] =
      benchmark::Counter(peak_rss_mib(), benchmark::Counter::kAvgThreads);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path images = std::filesystem::path(PINDECK_TEST_DATA) / "images";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(images)) {
    const auto ext = entry.path().extension();
    if (ext == ".jpg" || ext == ".png" || ext == ".webp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  static std::vector<std::vector<std::byte>> originals;
  originals.reserve(files.size());
  for (const auto& file : files) {
    originals.push_back(pindeck::bench::read_original(file));
    const std::string name = "FullSet/" + file.filename().string();
    for (int threads : {1, 2})
      benchmark::RegisterBenchmark(name.c_str(), BM_FullSet, &originals.back())
          ->Threads(threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond)
          ->MinTime(3.0);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
