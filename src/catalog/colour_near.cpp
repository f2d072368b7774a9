// SPDX-License-Identifier: Apache-2.0
#include "catalog/colour_near.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return hex_digit(c) >= 0; });
}

// The text quoted for an error message, bytes that are not UTF-8 replaced.
std::string quoted(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int hex_byte(std::string_view two) {
  return hex_digit(two[0]) * 16 + hex_digit(two[1]);
}

// The weight of Δb² (times 512) when the two reds sum to `red_sum`.
std::int64_t blue_weight_512(std::int64_t red_sum) {
  return 1534 - red_sum;
}

// The largest k (at most 255) with weight·k² <= budget, for budget >= 0.
int largest_step(std::int64_t weight, std::int64_t budget) {
  auto k = std::min<std::int64_t>(
      255, static_cast<std::int64_t>(
               std::sqrt(static_cast<double>(budget) / static_cast<double>(weight))));
  while (k > 0 && weight * k * k > budget) --k;
  while (k < 255 && weight * (k + 1) * (k + 1) <= budget) ++k;
  return static_cast<int>(k);
}

}  // namespace

Rgb parse_query_colour(std::string_view field, std::string_view text) {
  std::string_view digits = text;
  if (digits.starts_with('#')) digits.remove_prefix(1);
  if (!all_hex(digits) ||
      (digits.size() != 3 && digits.size() != 4 && digits.size() != 6 && digits.size() != 8)) {
    throw Error(Errc::invalid,
                std::string(field) + ": " + quoted(text) +
                    " is not a colour (expected #rgb, #rgba, #rrggbb or #rrggbbaa in hex)");
  }
  if (digits.size() <= 4) {
    return {hex_digit(digits[0]) * 17, hex_digit(digits[1]) * 17, hex_digit(digits[2]) * 17};
  }
  return {hex_byte(digits.substr(0, 2)), hex_byte(digits.substr(2, 2)),
          hex_byte(digits.substr(4, 2))};
}

std::optional<Rgb> parse_stored_colour(std::string_view text) {
  if (text.size() != 7 || text[0] != '#' || !all_hex(text.substr(1))) return std::nullopt;
  return Rgb{hex_byte(text.substr(1, 2)), hex_byte(text.substr(3, 2)), hex_byte(text.substr(5, 2))};
}

std::int64_t redmean_distance_512(Rgb a, Rgb b) {
  const std::int64_t red_sum = a.r + b.r;
  const std::int64_t dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
  return (1024 + red_sum) * dr * dr + 2048 * dg * dg + blue_weight_512(red_sum) * db * db;
}

std::int64_t distance_limit_512(std::string_view field, double distance) {
  if (!std::isfinite(distance) || distance < 0 || distance > max_colour_distance) {
    throw Error(Errc::invalid,
                std::string(field) + ": must be a number from 0 to " +
                    std::to_string(static_cast<int>(max_colour_distance)) + " (got " +
                    (std::isnan(distance) ? std::string("NaN") : nlohmann::json(distance).dump()) +
                    ")");
  }
  return static_cast<std::int64_t>(std::floor(distance * distance * 512));
}

ColourBox colour_box(Rgb c, std::int64_t limit) {
  // Red: the red term alone grows with |Δr| both ways (its weight 1024 + r1 + r2 falls by at most
  // 255 while Δr² grows), so the extent is the last red whose term is within the limit.
  int r_lo = c.r, r_hi = c.r;
  while (r_hi < 255 && redmean_distance_512(c, {r_hi + 1, c.g, c.b}) <= limit) ++r_hi;
  while (r_lo > 0 && redmean_distance_512(c, {r_lo - 1, c.g, c.b}) <= limit) --r_lo;
  // Green's weight is fixed, so its extent is at the centre's red. Blue's weight falls as red
  // rises, but a red away from the centre's spends budget on its own term: the widest blue step
  // over every red in range is the extent.
  const int kg = largest_step(2048, limit);
  int kb = 0;
  for (int r = r_lo; r <= r_hi; ++r) {
    const std::int64_t red_cost = redmean_distance_512(c, {r, c.g, c.b});
    kb = std::max(kb, largest_step(blue_weight_512(c.r + r), limit - red_cost));
  }
  return {r_lo,
          r_hi,
          std::max(0, c.g - kg),
          std::min(255, c.g + kg),
          std::max(0, c.b - kb),
          std::min(255, c.b + kb)};
}

}  // namespace pindeck::catalog
