// SPDX-License-Identifier: Apache-2.0
#include "sources/source_url.hpp"

#include <curl/curl.h>

#include <memory>

namespace pindeck::sources {

namespace {

constexpr std::string_view white_space = " \t\r\n\f\v";
constexpr std::string_view trailing_punctuation = ">])},.;!?";

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(white_space);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(white_space) - first + 1));
}

}  // namespace

std::string normalise_source_url(std::string_view url) {
  const std::string text = trimmed(url);
  // As Pindeck: a wrapped URL is taken as the brackets give it, punctuation and all.
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
    return trimmed(std::string_view(text).substr(1, text.size() - 2));
  }
  const auto last = text.find_last_not_of(trailing_punctuation);
  return last == std::string::npos ? std::string() : trimmed(text.substr(0, last + 1));
}

std::string file_name_of_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  const auto path = url.find('/');
  if (path == std::string_view::npos) return {};
  url.remove_prefix(path);
  const std::string_view segment = url.substr(url.rfind('/') + 1);
  // curl_easy_unescape takes a length of 0 to mean "up to the NUL", which a view does not have.
  if (segment.empty()) return {};
  int length = 0;
  const std::unique_ptr<char, decltype(&curl_free)> decoded(
      curl_easy_unescape(nullptr, segment.data(), static_cast<int>(segment.size()), &length),
      &curl_free);
  if (!decoded) return std::string(segment);
  std::string name(decoded.get(), static_cast<std::size_t>(length));
  // A name is one line of text: a decoded control character or slash would not be one.
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '/') c = '_';
  }
  return name;
}

}  // namespace pindeck::sources
