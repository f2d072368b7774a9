// SPDX-License-Identifier: Apache-2.0
// encoder_settings: the evidence for the encoder settings of DESIGN §4 (issue 13). Shrinks one
// image to one output width, keeps those pixels as the reference, and encodes them with a grid of
// libvips saver settings (the encoders derive() and sharp both use), timing each encode.
//
//   encoder_settings [--repeat R] --format webp|jpeg|png IMAGE WIDTH OUTDIR
//
// Writes OUTDIR/reference.png (the shrunk pixels, lossless) and, per setting, OUTDIR/SETTING.EXT
// (the encode) and OUTDIR/SETTING.decoded.png (it decoded again: butteraugli reads only PNG and
// JPEG, and one decoder for every format keeps the scores comparable). Prints one line per setting,
// "SETTING<tab>BYTES<tab>WALL ms<tab>CPU ms": the median over R rounds (default 5) of the encode
// alone, on one libvips thread. Each round runs every setting once, so a burst of load elsewhere
// on the machine touches all settings alike instead of a few of them.
//
// The grids: WebP Q 70..90 by 2 at effort 0..4; JPEG Q 70..90 by 2 as 4:2:0 with and without
// optimised Huffman tables and progressive, 4:4:4 at Q 70..80, and at Q80 mozjpeg's trellis
// options (which libjpeg-turbo, Debian's libjpeg, does not have); PNG zlib levels 1/3/6/9 with
// no row filter and with every filter, and at level 6 with libvips' default filter.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/vips_runtime.hpp"
#include "read_original.hpp"

namespace {

using pindeck::media::throw_vips_error;
using pindeck::media::VipsBufferPtr;
using pindeck::media::VipsImagePtr;

struct Setting {
  std::string name;
  std::string extension;
  // Returns libvips' status, the encoded bytes in *buffer (g_free) and their length.
  std::function<int(VipsImage*, void** buffer, std::size_t* length)> encode;
};

std::vector<Setting> webp_grid() {
  std::vector<Setting> grid;
  for (int q = 70; q <= 90; q += 2)
    for (int effort = 0; effort <= 4; ++effort)
      grid.push_back({"webp-q" + std::to_string(q) + "-e" + std::to_string(effort), "webp",
                      [q, effort](VipsImage* in, void** buffer, std::size_t* length) {
                        return vips_webpsave_buffer(in, buffer, length, "Q", q, "effort", effort,
                                                    "strip", TRUE, nullptr);
                      }});
  return grid;
}

Setting jpeg_setting(int q, bool subsample, bool optimize_coding, bool progressive,
                     bool mozjpeg_options) {
  std::string name = "jpeg-q" + std::to_string(q) + (subsample ? "-420" : "-444");
  if (optimize_coding) name += "-opt";
  if (progressive) name += "-prog";
  if (mozjpeg_options) name += "-trellis";
  return {name, "jpg", [=](VipsImage* in, void** buffer, std::size_t* length) {
            return vips_jpegsave_buffer(
                in, buffer, length, "Q", q, "strip", TRUE, "subsample_mode",
                subsample ? VIPS_FOREIGN_SUBSAMPLE_ON : VIPS_FOREIGN_SUBSAMPLE_OFF,
                "optimize_coding", optimize_coding, "interlace", progressive, "trellis_quant",
                mozjpeg_options, "overshoot_deringing", mozjpeg_options, "quant_table",
                mozjpeg_options ? 3 : 0, nullptr);
          }};
}

std::vector<Setting> jpeg_grid() {
  std::vector<Setting> grid;
  for (int q = 70; q <= 90; q += 2) {
    grid.push_back(jpeg_setting(q, true, false, false, false));
    grid.push_back(jpeg_setting(q, true, true, false, false));
    grid.push_back(jpeg_setting(q, true, true, true, false));
    if (q <= 80) grid.push_back(jpeg_setting(q, false, true, false, false));
  }
  grid.push_back(jpeg_setting(80, true, true, false, true));
  return grid;
}

std::vector<Setting> png_grid() {
  std::vector<Setting> grid;
  for (int level : {1, 3, 6, 9})
    for (bool all_filters : {false, true})
      grid.push_back({"png-c" + std::to_string(level) + (all_filters ? "-allfilters" : "-nofilter"),
                      "png", [=](VipsImage* in, void** buffer, std::size_t* length) {
                        return vips_pngsave_buffer(in, buffer, length, "compression", level,
                                                   "filter",
                                                   all_filters ? VIPS_FOREIGN_PNG_FILTER_ALL
                                                               : VIPS_FOREIGN_PNG_FILTER_NONE,
                                                   "strip", TRUE, nullptr);
                      }});
  // What derive() asks for today: libvips' defaults.
  grid.push_back({"png-default", "png", [](VipsImage* in, void** buffer, std::size_t* length) {
                    return vips_pngsave_buffer(in, buffer, length, "strip", TRUE, nullptr);
                  }});
  return grid;
}

void write_file(const std::filesystem::path& path, const void* data, std::size_t length) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(length));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// The pixels every setting encodes: the original shrunk to `width` (never enlarged), 8-bit sRGB,
// in memory; flattened for JPEG, which has no alpha. derive() shrinks in two steps (to the widest
// output, then to each width), so its pixels differ slightly; the encoders see alike pixels.
VipsImagePtr reference_pixels(std::vector<std::byte>& original, int width, bool flatten) {
  VipsImage* out = nullptr;
  if (vips_thumbnail_buffer(original.data(), original.size(), &out, width, "height", VIPS_MAX_COORD,
                            "size", VIPS_SIZE_DOWN, nullptr) != 0)
    throw_vips_error("cannot decode");
  VipsImagePtr image(out);
  if (vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0)
    throw_vips_error("cannot convert to sRGB");
  image.reset(out);
  if (vips_cast_uchar(image.get(), &out, nullptr) != 0) throw_vips_error("cannot cast");
  image.reset(out);
  if (flatten && vips_image_hasalpha(image.get())) {
    if (vips_flatten(image.get(), &out, nullptr) != 0) throw_vips_error("cannot flatten");
    image.reset(out);
  }
  VipsImage* memory = vips_image_copy_memory(image.get());
  if (memory == nullptr) throw_vips_error("cannot shrink");
  return VipsImagePtr(memory);
}

void save_png(VipsImage* image, const std::filesystem::path& path) {
  // Level 1: these files are only read back by butteraugli, so the fastest zlib level will do.
  // Stripped: libpng warns about the original's EXIF when butteraugli reads it.
  if (vips_pngsave(image, path.c_str(), "compression", 1, "strip", TRUE, nullptr) != 0)
    throw_vips_error("cannot write " + path.string());
}

void save_decoded(const void* encoded, std::size_t length, const std::filesystem::path& path) {
  VipsImage* out = vips_image_new_from_buffer(encoded, length, "", nullptr);
  if (out == nullptr) throw_vips_error("cannot decode " + path.string());
  const VipsImagePtr decoded(out);
  save_png(decoded.get(), path);
}

double ms_between(timespec start, timespec end) {
  return static_cast<double>(end.tv_sec - start.tv_sec) * 1e3 +
         static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e6;
}

timespec now(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return t;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int usage() {
  std::fprintf(stderr,
               "usage: encoder_settings [--repeat R] --format webp|jpeg|png IMAGE WIDTH OUTDIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5;
  std::string format;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else if (arg == "--format" && i + 1 < argc)
      format = argv[++i];
    else if (arg.starts_with("--"))
      return usage();
    else
      positional.push_back(arg);
  }
  if (positional.size() != 3 || repeat < 1) return usage();
  std::vector<Setting> grid;
  if (format == "webp")
    grid = webp_grid();
  else if (format == "jpeg")
    grid = jpeg_grid();
  else if (format == "png")
    grid = png_grid();
  else
    return usage();
  const int width = std::atoi(positional[1].c_str());
  if (width < 1) return usage();
  const std::filesystem::path out_dir = positional[2];

  try {
    pindeck::media::start_vips({.concurrency = 1});
    std::filesystem::create_directories(out_dir);
    std::vector<std::byte> original = pindeck::bench::read_original(positional[0]);
    const VipsImagePtr reference = reference_pixels(original, width, format == "jpeg");
    save_png(reference.get(), out_dir / "reference.png");

    std::vector<std::vector<double>> wall(grid.size()), cpu(grid.size());
    std::vector<std::size_t> bytes(grid.size());
    for (int round = 0; round < repeat; ++round) {
      for (std::size_t s = 0; s < grid.size(); ++s) {
        void* buffer = nullptr;
        std::size_t length = 0;
        const timespec wall0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
        const int status = grid[s].encode(reference.get(), &buffer, &length);
        const timespec wall1 = now(CLOCK_MONOTONIC), cpu1 = now(CLOCK_PROCESS_CPUTIME_ID);
        const VipsBufferPtr encoded(buffer);
        if (status != 0) throw_vips_error("cannot encode " + grid[s].name);
        wall[s].push_back(ms_between(wall0, wall1));
        cpu[s].push_back(ms_between(cpu0, cpu1));
        if (round == 0) {
          bytes[s] = length;
          write_file(out_dir / (grid[s].name + "." + grid[s].extension), buffer, length);
          save_decoded(buffer, length, out_dir / (grid[s].name + ".decoded.png"));
        }
      }
    }
    for (std::size_t s = 0; s < grid.size(); ++s)
      std::printf("%s\t%zu\t%.2f\t%.2f\n", grid[s].name.c_str(), bytes[s], median(wall[s]),
                  median(cpu[s]));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "encoder_settings: %s\n", e.what());
    return 1;
  }
}
