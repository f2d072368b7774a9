// SPDX-License-Identifier: Apache-2.0
// Palette of raw pixels. The arithmetic mirrors Pindeck's JavaScript extractor step for step
// (its rounding, its bucket keys, its first-seen order for ties), because the golden vectors in
// tests/data/palette require the very same lists, not merely similar ones.
#include "media/palette.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "pindeck/error.hpp"
#include "util/hex.hpp"

namespace pindeck::media {

namespace {

struct Rgb {
  int r = 0;
  int g = 0;
  int b = 0;
};

using Lab = std::array<double, 3>;

// JavaScript's Math.round: nearest integer, halves towards +infinity.
double js_round(double x) {
  const double whole = std::floor(x);
  return x - whole >= 0.5 ? whole + 1.0 : whole;
}

// HSV saturation, 0..1.
double saturation(const Rgb& c) {
  const int hi = std::max({c.r, c.g, c.b});
  const int lo = std::min({c.r, c.g, c.b});
  return hi == 0 ? 0.0 : static_cast<double>(hi - lo) / hi;
}

// Rec. 601 luma, 0..1.
double brightness(const Rgb& c) {
  return (c.r * 299 + c.g * 587 + c.b * 114) / 1000.0 / 255.0;
}

// Hue in degrees, or nothing for (near) grays.
std::optional<double> hue_degrees(const Rgb& c) {
  const double rn = c.r / 255.0;
  const double gn = c.g / 255.0;
  const double bn = c.b / 255.0;
  const double hi = std::max({rn, gn, bn});
  const double d = hi - std::min({rn, gn, bn});
  if (d < 0.008) return std::nullopt;
  double h = 0.0;
  if (hi == rn) {
    double x = std::fmod((gn - bn) / d, 6.0);
    if (x < 0) x += 6.0;
    h = x * 60.0;
  } else if (hi == gn) {
    h = ((bn - rn) / d + 2.0) * 60.0;
  } else {
    h = ((rn - gn) / d + 4.0) * 60.0;
  }
  if (h < 0) h += 360.0;
  return std::fmod(h, 360.0);
}

double srgb_to_linear(int channel) {
  const double x = channel / 255.0;
  return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
}

// CIE L*a*b* under D65.
Lab to_lab(const Rgb& c) {
  const double r = srgb_to_linear(c.r);
  const double g = srgb_to_linear(c.g);
  const double b = srgb_to_linear(c.b);
  const double x = (r * 0.4124564 + g * 0.3575761 + b * 0.1804375) / 0.95047;
  const double y = r * 0.2126729 + g * 0.7151522 + b * 0.072175;
  const double z = (r * 0.0193339 + g * 0.119192 + b * 0.9503041) / 1.08883;
  const auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
  const double fx = f(x);
  const double fy = f(y);
  const double fz = f(z);
  return {116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)};
}

double lab_distance_sq(const Lab& a, const Lab& b) {
  const double dl = a[0] - b[0];
  const double da = a[1] - b[1];
  const double db = a[2] - b[2];
  return dl * dl + da * da + db * db;
}

// Leaves out near-black shadow noise (JPEG shadows turn into bogus purples), blown highlights
// and grays: what is left is the colour a viewer notices.
bool is_meaningful(const Rgb& c) {
  const int hi = std::max({c.r, c.g, c.b});
  const double light = brightness(c);
  const double sat = saturation(c);
  if (hi < 52) return false;
  if (light < 0.14 && sat > 0.5 && hi < 72) return false;
  if (light > 0.96 && sat < 0.12) return false;
  return sat >= 0.06;
}

std::string to_hex(const Rgb& c) {
  const std::array<unsigned char, 3> channels{static_cast<unsigned char>(std::clamp(c.r, 0, 255)),
                                              static_cast<unsigned char>(std::clamp(c.g, 0, 255)),
                                              static_cast<unsigned char>(std::clamp(c.b, 0, 255))};
  std::string hex = "#";
  util::append_hex(hex, channels);
  return hex;
}

struct Bucket {
  std::uint64_t sum_r = 0;
  std::uint64_t sum_g = 0;
  std::uint64_t sum_b = 0;
  std::uint64_t count = 0;
};

// Pixels of one quantisation cell, in the order their first pixel was seen (that order breaks
// ties in the ranking, as in the reference).
struct Buckets {
  std::vector<Bucket> cells;
  std::uint64_t meaningful_pixels = 0;
};

Buckets bucket_pixels(std::span<const std::uint8_t> pixels, int channels, int levels) {
  // The reference keys a cell by its lattice value rounded to 0..255; a table of those per
  // channel value gives the same keys without per-pixel floating point.
  std::array<std::uint8_t, 256> lattice{};
  const double step = 255.0 / levels;
  for (int v = 0; v < 256; ++v) {
    lattice[v] = static_cast<std::uint8_t>(js_round(js_round(v / 255.0 * levels) * step));
  }
  Buckets out;
  std::unordered_map<std::uint32_t, std::size_t> index_of_key;
  const auto stride = static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i + stride <= pixels.size(); i += stride) {
    if (channels == 4 && pixels[i + 3] < 128) continue;
    const Rgb c{pixels[i], pixels[i + 1], pixels[i + 2]};
    if (!is_meaningful(c)) continue;
    ++out.meaningful_pixels;
    const std::uint32_t key =
        (std::uint32_t{lattice[c.r]} << 16) | (std::uint32_t{lattice[c.g]} << 8) | lattice[c.b];
    const auto [it, inserted] = index_of_key.try_emplace(key, out.cells.size());
    if (inserted) out.cells.emplace_back();
    Bucket& cell = out.cells[it->second];
    cell.sum_r += c.r;
    cell.sum_g += c.g;
    cell.sum_b += c.b;
    ++cell.count;
  }
  return out;
}

struct Candidate {
  Rgb rgb;
  std::string hex;
  Lab lab{};
  std::uint64_t count = 0;
  double share = 0.0;
  double score = 0.0;
  bool common = false;  // has the minimum mass (max(6, min_share of meaningful pixels))
  bool damped = false;  // a low-mass purple in a warm scene: never picked
};

// Warm scenes (sunsets, wood, skin) pick up magenta-purple fringes from compression and
// chromatic aberration; when such a hue has little mass in a clearly warm scene it is noise.
struct SceneTemperature {
  double warm_mass = 0.0;
  double cool_mass = 0.0;
  double max_count = 0.0;

  bool damps(const Candidate& c) const {
    const auto hue = hue_degrees(c.rgb);
    if (!hue) return false;
    const bool warm_dominant =
        warm_mass > cool_mass * 2.2 &&
        warm_mass > cool_mass + std::max(1.0, (warm_mass + cool_mass) * 0.15);
    if (!warm_dominant) return false;
    if (*hue < 210.0 || *hue > 340.0) return false;
    return c.share < 0.05 && static_cast<double>(c.count) < max_count * 0.055;
  }
};

// The greedy picking passes: the full Lab distance among common buckets first, then looser
// distances, and from the third pass on also buckets below the minimum mass, so that a picture
// with few distinct colours still gets a full palette. The factors apply to the squared
// distance. The first two are Pindeck's published ones; the golden vectors pin the others down to
// narrow ranges of the distance factor (pass 3: 0.647-0.653, pass 4: 0.37-0.55, pass 5:
// 0.053-0.063 of min_lab_delta), so change none of them without rerunning every vector.
struct PickPass {
  double distance_sq_factor;
  bool common_only;
};
constexpr std::array<PickPass, 5> kPickPasses{{
    {1.0, true},
    {0.72, true},
    {0.65 * 0.65, false},
    {0.45 * 0.45, false},
    {0.058 * 0.058, false},
}};

void validate(const PaletteOptions& o) {
  if (o.top_n == 0) throw Error(Errc::invalid, "palette top_n must be at least 1");
  if (o.quantize_levels < 1 || o.quantize_levels > 255) {
    throw Error(Errc::invalid, "palette quantize_levels must be between 1 and 255, got " +
                                   std::to_string(o.quantize_levels));
  }
  if (!(o.min_share >= 0.0 && o.min_share <= 1.0)) {
    throw Error(Errc::invalid, "palette min_share must be between 0 and 1");
  }
  if (!(o.min_lab_delta >= 0.0 && std::isfinite(o.min_lab_delta))) {
    throw Error(Errc::invalid, "palette min_lab_delta must be a finite number >= 0");
  }
}

}  // namespace

std::size_t packed_pixel_bytes(std::size_t width, std::size_t height, int channels) {
  if (channels != 3 && channels != 4) {
    throw Error(Errc::invalid,
                "channels must be 3 (RGB) or 4 (RGBA), got " + std::to_string(channels));
  }
  if (width == 0 || height == 0) {
    throw Error(Errc::invalid, "width and height must be at least 1, got " + std::to_string(width) +
                                   "x" + std::to_string(height));
  }
  constexpr auto kMax = std::numeric_limits<std::size_t>::max();
  const auto ch = static_cast<std::size_t>(channels);
  if (width > kMax / height || width * height > kMax / ch) {
    throw Error(Errc::invalid, "width*height*channels overflows: " + std::to_string(width) + "x" +
                                   std::to_string(height) + "x" + std::to_string(channels));
  }
  return width * height * ch;
}

std::vector<std::string> palette_from_pixels(std::span<const std::uint8_t> pixels,
                                             std::size_t width, std::size_t height, int channels,
                                             const PaletteOptions& options) {
  validate(options);
  const std::size_t expected_bytes = packed_pixel_bytes(width, height, channels);
  if (pixels.size() != expected_bytes) {
    throw Error(Errc::invalid, "pixels hold " + std::to_string(pixels.size()) +
                                   " bytes, width*height*channels is " +
                                   std::to_string(expected_bytes));
  }

  const Buckets buckets = bucket_pixels(pixels, channels, options.quantize_levels);
  if (buckets.meaningful_pixels == 0) return {};
  const auto total = static_cast<double>(buckets.meaningful_pixels);
  const double min_count = std::max(6.0, std::floor(total * options.min_share));

  std::vector<Candidate> candidates;
  candidates.reserve(buckets.cells.size());
  bool any_common = false;
  for (const Bucket& cell : buckets.cells) {
    const auto mean = [&](std::uint64_t sum) {
      return static_cast<int>(js_round(static_cast<double>(sum) / static_cast<double>(cell.count)));
    };
    Candidate c;
    c.rgb = {mean(cell.sum_r), mean(cell.sum_g), mean(cell.sum_b)};
    c.count = cell.count;
    c.common = static_cast<double>(cell.count) >= min_count;
    any_common = any_common || c.common;
    candidates.push_back(std::move(c));
  }
  // With no bucket of the minimum mass (noise, tiny images) every bucket counts as common.
  if (!any_common) {
    for (Candidate& c : candidates) c.common = true;
  }

  SceneTemperature scene;
  for (const Candidate& c : candidates) {
    if (!c.common) continue;
    scene.max_count = std::max(scene.max_count, static_cast<double>(c.count));
    const auto hue = hue_degrees(c.rgb);
    if (!hue) continue;
    if (*hue >= 12.0 && *hue <= 105.0) scene.warm_mass += static_cast<double>(c.count);
    if (*hue >= 195.0 && *hue <= 330.0) scene.cool_mass += static_cast<double>(c.count);
  }
  for (Candidate& c : candidates) {
    c.hex = to_hex(c.rgb);
    c.lab = to_lab(c.rgb);
    c.share = static_cast<double>(c.count) / total;
    c.score = c.share * (1.0 + 0.045 * saturation(c.rgb));
    c.damped = scene.damps(c);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

  const double min_distance_sq = options.min_lab_delta * options.min_lab_delta;
  std::vector<const Candidate*> picked;
  std::unordered_set<std::string> picked_hex;
  for (const PickPass& pass : kPickPasses) {
    const double limit = min_distance_sq * pass.distance_sq_factor;
    for (const Candidate& c : candidates) {
      if (picked.size() >= options.top_n) break;
      if (pass.common_only && !c.common) continue;
      if (c.damped || picked_hex.contains(c.hex)) continue;
      const bool too_close = std::any_of(picked.begin(), picked.end(), [&](const Candidate* p) {
        return lab_distance_sq(p->lab, c.lab) < limit;
      });
      if (too_close) continue;
      picked.push_back(&c);
      picked_hex.insert(c.hex);
    }
  }

  std::vector<std::string> palette;
  palette.reserve(picked.size());
  for (const Candidate* c : picked) palette.push_back(c->hex);
  return palette;
}

}  // namespace pindeck::media
