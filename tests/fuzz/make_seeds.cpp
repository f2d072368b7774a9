// SPDX-License-Identifier: Apache-2.0
// Writes the fuzz seed corpus: one small image per supported format (and an animation), made with
// libvips, so the fuzzer starts from valid structure instead of guessing signatures.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "generated_images.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  using namespace pindeck::test;
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  auto still = gradient(24, 16, 3);
  auto rgba = gradient(12, 10, 4);
  auto grey = gradient(10, 12, 1);
  auto animated = animation(8, 6, 3);
  const struct {
    const char* name;
    VipsImage* image;
    const char* suffix;
  } seeds[] = {
      {"still.jpg", still.get(), ".jpg[Q=50]"},
      {"progressive.jpg", grey.get(), ".jpg[interlace]"},
      {"still.png", still.get(), ".png"},
      {"alpha.png", rgba.get(), ".png"},
      {"still.webp", still.get(), ".webp[Q=50]"},
      {"alpha.webp", rgba.get(), ".webp[lossless]"},
      {"anim.gif", animated.get(), ".gif"},
      {"anim.webp", animated.get(), ".webp"},
      {"still.tif", grey.get(), ".tif"},
      {"still.avif", still.get(), ".avif"},
  };
  try {
    for (const auto& seed : seeds) {
      const Bytes bytes = encode(seed.image, seed.suffix);
      std::ofstream(dir / seed.name, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
