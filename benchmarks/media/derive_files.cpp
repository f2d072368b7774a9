// SPDX-License-Identifier: Apache-2.0
// derive_files: makes the full derivative set of each file given, the way the persistence pipeline
// does, and prints the time per file. The native side of benchmarks/compare/compare.sh.
//
//   derive_files [--jobs N] [--repeat R] [--effort E] [--encode-threads T] [--concurrency C]
//                [--out DIR] [--floor] FILE...
//
// --jobs N processes N files at once (default 1). --effort E sets every output's WebP effort.
// --out writes every derivative into DIR.
// --floor measures, before each derive(), the decode floor (issue 13 asks for derive() within 1.3x
// of it): on one libvips thread, the original decoded once, shrinking on load to the widest
// derivative's width (1280 by default), into memory; then, timed apart, one WebP encode of that at
// that output's settings (Q80, effort 2 by default). Alternating the two in one process makes their
// ratio a same-run measurement. It prints "FILE<tab>MS ms<tab>D ms decode<tab>E ms encode".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "media/derivatives.hpp"
#include "media/vips_runtime.hpp"
#include "pindeck/error.hpp"
#include "read_original.hpp"

namespace {

using pindeck::media::VipsBufferPtr;
using pindeck::media::VipsImagePtr;

void write_outputs(const std::filesystem::path& dir, const std::string& source,
                   const pindeck::media::DerivedSet& set) {
  const std::string stem = std::filesystem::path(source).stem().string();
  for (const auto& d : set.derivatives) {
    std::ofstream out(dir / (stem + "-" + std::string(pindeck::media::name_of(d.kind)) + "." +
                             std::string(pindeck::media::extension(d.format))),
                      std::ios::binary);
    out.write(reinterpret_cast<const char*>(d.bytes.data()),
              static_cast<std::streamsize>(d.bytes.size()));
  }
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

struct FloorTimes {
  double decode_ms;
  double encode_ms;
};

// Holds libvips at one worker thread while it lives, for the floor; derive() then runs at the
// concurrency it was started with.
class OneVipsThread {
 public:
  OneVipsThread() { vips_concurrency_set(1); }
  OneVipsThread(const OneVipsThread&) = delete;
  OneVipsThread& operator=(const OneVipsThread&) = delete;
  ~OneVipsThread() { vips_concurrency_set(saved_); }

 private:
  int saved_ = vips_concurrency_get();
};

FloorTimes measure_floor(std::span<const std::byte> original,
                         const pindeck::media::DeriveOptions& options) {
  const auto widest =
      std::ranges::max(options.derivatives, {}, &pindeck::media::DerivativeSpec::width);
  const OneVipsThread one_thread;
  const auto t0 = std::chrono::steady_clock::now();
  VipsImage* out = nullptr;
  // The height is left unbounded so the width alone decides, as for the derivative.
  // vips_thumbnail_buffer takes a non-const pointer but only reads the bytes.
  if (vips_thumbnail_buffer(const_cast<std::byte*>(original.data()), original.size(), &out,
                            widest.width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN,
                            nullptr) != 0)
    pindeck::media::throw_vips_error("floor: cannot decode");
  const VipsImagePtr lazy(out);
  // Copying to memory is what makes libvips run the decode at all.
  const VipsImagePtr decoded(vips_image_copy_memory(lazy.get()));
  if (!decoded) pindeck::media::throw_vips_error("floor: cannot decode");
  const double decode_ms = ms_since(t0);

  const auto t1 = std::chrono::steady_clock::now();
  void* buffer = nullptr;
  std::size_t length = 0;
  if (vips_webpsave_buffer(decoded.get(), &buffer, &length, "Q", widest.webp_quality, "effort",
                           widest.webp_effort, "strip", TRUE, nullptr) != 0)
    pindeck::media::throw_vips_error("floor: cannot encode");
  const VipsBufferPtr encoded(buffer);
  return {decode_ms, ms_since(t1)};
}

int usage() {
  std::fprintf(stderr,
               "usage: derive_files [--jobs N] [--repeat R] [--effort E] [--encode-threads T] "
               "[--concurrency C] [--out DIR] [--floor] FILE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 1;
  int repeat = 1;
  bool with_floor = false;
  pindeck::media::DeriveOptions options;
  pindeck::media::VipsSettings vips;
  std::string out_dir;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--jobs" && has_value)
      jobs = std::atoi(argv[++i]);
    else if (arg == "--repeat" && has_value)
      repeat = std::atoi(argv[++i]);
    else if (arg == "--effort" && has_value)
      for (const int effort = std::atoi(argv[++i]); auto& spec : options.derivatives)
        spec.webp_effort = effort;
    else if (arg == "--encode-threads" && has_value)
      options.encode_threads = std::atoi(argv[++i]);
    else if (arg == "--concurrency" && has_value)
      vips.concurrency = std::atoi(argv[++i]);
    else if (arg == "--out" && has_value)
      out_dir = argv[++i];
    else if (arg == "--floor")
      with_floor = true;
    else if (arg.starts_with("--"))
      return usage();
    else
      files.push_back(arg);
  }
  // The floor is measured on one thread: another job running beside it would slow it.
  if (files.empty() || jobs < 1 || repeat < 1 || (with_floor && jobs > 1)) return usage();
  try {
    pindeck::media::start_vips(vips);
    std::vector<std::vector<std::byte>> originals;
    for (const auto& f : files) originals.push_back(pindeck::bench::read_original(f));
    if (!out_dir.empty()) std::filesystem::create_directories(out_dir);

    const auto started = std::chrono::steady_clock::now();
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
      pindeck::media::VipsThreadScope vips_thread;
      for (std::size_t i = next++; i < files.size() * repeat; i = next++) {
        const std::size_t f = i % files.size();
        try {
          const std::optional<FloorTimes> floor_times =
              with_floor ? std::optional(measure_floor(originals[f], options)) : std::nullopt;
          const auto t0 = std::chrono::steady_clock::now();
          const auto set = pindeck::media::derive(originals[f], options);
          const double ms = ms_since(t0);
          if (floor_times)
            std::printf("%s\t%.1f ms\t%.1f ms decode\t%.1f ms encode\n", files[f].c_str(), ms,
                        floor_times->decode_ms, floor_times->encode_ms);
          else
            std::printf("%s\t%.1f ms\n", files[f].c_str(), ms);
          if (!out_dir.empty()) write_outputs(out_dir, files[f], set);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "%s: %s\n", files[f].c_str(), e.what());
          failed = true;
        }
      }
    };
    std::vector<std::jthread> pool;
    for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
    pool.clear();
    std::printf("total\t%.1f ms\n", ms_since(started));
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "derive_files: %s\n", e.what());
    return 1;
  }
}
