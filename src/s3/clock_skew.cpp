// SPDX-License-Identifier: Apache-2.0
#include "s3/clock_skew.hpp"

#include <array>
#include <cstdio>
#include <string>

namespace pindeck::s3 {

namespace {

// Servers' skew windows are 15 minutes; a smaller difference on a bare 403 is some other refusal.
constexpr auto kBare403SkewThreshold = std::chrono::minutes(4);

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  const std::string fixed(text);
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  char month_name[4] = {};
  if (std::sscanf(fixed.c_str() + 5, "%2d %3c %4d %2d:%2d:%2d GMT%n", &day, month_name, &year,
                  &hour, &minute, &second, &consumed) != 6 ||
      consumed != 24) {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == std::string_view(month_name, 3)) month = i + 1;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(month),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (month == 0 || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
}

bool is_clock_skew_refusal(int http_status, std::string_view s3_code,
                           std::chrono::system_clock::time_point signed_at,
                           std::chrono::system_clock::time_point server_time) {
  if (s3_code == "RequestTimeTooSkewed") return true;
  const auto difference =
      signed_at > server_time ? signed_at - server_time : server_time - signed_at;
  return http_status == 403 && s3_code == "Forbidden" && difference > kBare403SkewThreshold;
}

}  // namespace pindeck::s3
