// SPDX-License-Identifier: Apache-2.0
// What the sources' fuzz targets require of an image URL they hand to the fetcher.
#pragma once

#include <string_view>

namespace pindeck::fuzz {

// An http or https URL as a browser reads one: the scheme in any case ("Https:"), and any number
// of slashes after it ("https:/host"), as the WHATWG URL parser Pindeck uses accepts them.
inline bool has_web_scheme(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view scheme = url.substr(0, colon);
  const auto is = [&](std::string_view name) {
    if (scheme.size() != name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      if ((scheme[i] | 0x20) != name[i]) return false;
    }
    return true;
  };
  return is("http") || is("https");
}

}  // namespace pindeck::fuzz
