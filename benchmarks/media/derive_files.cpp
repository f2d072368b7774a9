// SPDX-License-Identifier: Apache-2.0
// derive_files: makes the full derivative set of each file given, the way the persistence pipeline
// does, and prints the time per file. The native side of benchmarks/compare/compare.sh.
//
//   derive_files [--jobs N] [--repeat R] [--effort E] [--encode-threads T] [--concurrency C]
//                [--out DIR] FILE...
//
// --jobs N processes N files at once (default 1). --out writes every derivative into DIR.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "media/derivatives.hpp"
#include "media/vips_runtime.hpp"
#include "pindeck/error.hpp"

namespace {

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::byte> bytes(raw.size());
  std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(bytes.data()));
  return bytes;
}

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

int usage() {
  std::fprintf(stderr,
               "usage: derive_files [--jobs N] [--repeat R] [--effort E] [--encode-threads T] "
               "[--concurrency C] [--out DIR] FILE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 1;
  int repeat = 1;
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
      options.webp_effort = std::atoi(argv[++i]);
    else if (arg == "--encode-threads" && has_value)
      options.encode_threads = std::atoi(argv[++i]);
    else if (arg == "--concurrency" && has_value)
      vips.concurrency = std::atoi(argv[++i]);
    else if (arg == "--out" && has_value)
      out_dir = argv[++i];
    else if (arg.starts_with("--"))
      return usage();
    else
      files.push_back(arg);
  }
  if (files.empty() || jobs < 1 || repeat < 1) return usage();
  try {
    pindeck::media::start_vips(vips);
    std::vector<std::vector<std::byte>> originals;
    for (const auto& f : files) originals.push_back(read_file(f));
    if (!out_dir.empty()) std::filesystem::create_directories(out_dir);

    const auto started = std::chrono::steady_clock::now();
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
      pindeck::media::VipsThreadScope vips_thread;
      for (std::size_t i = next++; i < files.size() * repeat; i = next++) {
        const std::size_t f = i % files.size();
        try {
          const auto t0 = std::chrono::steady_clock::now();
          const auto set = pindeck::media::derive(originals[f], options);
          const double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count();
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
    const double total =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::printf("total\t%.1f ms\n", total);
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "derive_files: %s\n", e.what());
    return 1;
  }
}
