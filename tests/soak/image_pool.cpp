// SPDX-License-Identifier: Apache-2.0
#include "image_pool.hpp"

#include <array>
#include <fstream>
#include <stdexcept>

#include "generated_images.hpp"
#include "test_images.hpp"

namespace pindeck::soak {

namespace {

void write_bytes(const std::filesystem::path& path, const test::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

ImagePool::ImagePool(const std::filesystem::path& dir, int generated, unsigned seed)
    : samples_(test::sample_images()) {
  std::filesystem::create_directories(dir);
  std::mt19937 random(seed);
  // From thumbnails (smaller than every derivative) to larger than the largest derivative.
  constexpr std::array widths{96, 300, 640, 900, 1280, 1600, 2048, 2600};
  constexpr std::array<const char*, 3> still_formats{".jpg[Q=85]", ".png", ".webp[Q=80]"};
  constexpr std::array<const char*, 3> suffixes{".jpg", ".png", ".webp"};
  for (int i = 0; i < generated; ++i) {
    const int width = widths[random() % widths.size()];
    const int height = std::max(32, static_cast<int>(width * (0.5 + (random() % 100) / 100.0)));
    const auto path_base = dir / ("generated-" + std::to_string(i));
    if (i % 10 == 9) {  // one in ten is a small animation
      const auto frames = test::animation(std::min(width, 320), std::min(height, 240), 6);
      const auto path = path_base.string() + ".gif";
      write_bytes(path, test::encode(frames.get(), ".gif"));
      generated_.emplace_back(path);
      continue;
    }
    const std::size_t format = random() % still_formats.size();
    const auto image =
        (i % 3 == 0)
            ? test::solid(width, height,
                          {static_cast<double>(random() % 256), static_cast<double>(random() % 256),
                           static_cast<double>(random() % 256)})
            : test::gradient(width, height, 3);
    const auto path = path_base.string() + suffixes[format];
    write_bytes(path, test::encode(image.get(), still_formats[format]));
    generated_.emplace_back(path);
  }
}

const std::filesystem::path& ImagePool::pick(std::mt19937& random, double sample_share) const {
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  if (generated_.empty() || coin(random) < sample_share)
    return samples_[random() % samples_.size()];
  return generated_[random() % generated_.size()];
}

std::vector<std::filesystem::path> ImagePool::all() const {
  std::vector<std::filesystem::path> paths = samples_;
  paths.insert(paths.end(), generated_.begin(), generated_.end());
  return paths;
}

}  // namespace pindeck::soak
