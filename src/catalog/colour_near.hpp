// SPDX-License-Identifier: Apache-2.0
// "Colour near" (DESIGN §8): the colours a query names, the redmean distance between two colours,
// and the box of colours around a query colour that can be within a distance of it, so the
// catalog's colour index (record_colors) is read only inside that box.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pindeck::catalog {

struct Rgb {
  int r = 0;
  int g = 0;
  int b = 0;
};

// The largest redmean distance two colours can have (black to white is about 764.8).
inline constexpr double max_colour_distance = 765;
inline constexpr double default_colour_distance = 78;

// A colour as a query names it: 3, 4, 6 or 8 hex digits, with or without '#', any case; the alpha
// of the 4- and 8-digit forms is dropped. Throws Error(Errc::invalid) naming `field`.
Rgb parse_query_colour(std::string_view field, std::string_view text);

// A colour as a record stores it (#rrggbb, any case, as older versions may have stored it);
// nothing for anything else, which the colour index leaves out.
std::optional<Rgb> parse_stored_colour(std::string_view text);

// 512 times the square of the redmean distance. With r̄ = (r1 + r2) / 2 the distance is
// sqrt((2 + r̄/256)·Δr² + 4·Δg² + (2 + (255 − r̄)/256)·Δb²); times 512 every term is a whole
// number, so comparisons are exact.
std::int64_t redmean_distance_512(Rgb a, Rgb b);

// The largest value of redmean_distance_512 within `distance` (0 to max_colour_distance).
// Throws Error(Errc::invalid) naming `field` for a distance out of range or not a number.
std::int64_t distance_limit_512(std::string_view field, double distance);

// Per channel, the range of values a colour within the limit of `centre` can have: the exact
// extent of that set along each axis (Δr with its own weight, which grows with r̄; Δb with the
// smallest weight any red in range gives it), clamped to 0..255.
struct ColourBox {
  int r_lo, r_hi, g_lo, g_hi, b_lo, b_hi;
};
ColourBox colour_box(Rgb centre, std::int64_t limit_512);

}  // namespace pindeck::catalog
