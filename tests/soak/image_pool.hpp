// SPDX-License-Identifier: Apache-2.0
// The images the soak and burst programs upload: the repository's five sample photographs (up to
// 5120x2880) and images generated once at start, of varied sizes and formats (JPEG, PNG, WebP,
// animated GIF), written to files so uploads read them as a host's files would.
#pragma once

#include <cstddef>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace pindeck::soak {

class ImagePool {
 public:
  // Writes `generated` images into `dir` (created when missing). Generation runs before any
  // measurement starts: it uses libvips in this process too.
  ImagePool(const std::filesystem::path& dir, int generated, unsigned seed);

  // A sample photograph with probability `sample_share`, else a generated image.
  const std::filesystem::path& pick(std::mt19937& random, double sample_share) const;

  // Every image once: samples first.
  std::vector<std::filesystem::path> all() const;

 private:
  std::vector<std::filesystem::path> samples_;
  std::vector<std::filesystem::path> generated_;
};

}  // namespace pindeck::soak
