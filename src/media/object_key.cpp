// SPDX-License-Identifier: Apache-2.0
#include "media/object_key.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "model/base36.hpp"
#include "model/storage_names.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {

using model::is_base36;
using model::random_base36;
using model::to_base36;

namespace {

constexpr std::size_t kMaxBaseNameLength = 96;
constexpr std::size_t kNonceLength = 6;
// 10000-01-01T00:00:00Z: the first instant whose year no longer fits "YYYY".
constexpr std::int64_t kYear10000Ms = 253402300800000;

void validate_public_base_url(std::string_view url) {
  if (url.empty()) {
    throw Error(Errc::invalid, "public_base_url must be set (by default the S3 endpoint)");
  }
  const bool http = url.starts_with("http://") || url.starts_with("https://");
  const std::size_t host = url.find("://") + 3;
  const bool has_host = http && host < url.size() && url[host] != '/';
  const bool clean = std::none_of(url.begin(), url.end(), [](char c) {
    return c == '?' || c == '#' || static_cast<unsigned char>(c) <= ' ';
  });
  if (!has_host || !clean) {
    throw Error(Errc::invalid, "public_base_url \"" + std::string(url) +
                                   "\" must be an http:// or https:// URL with a host and no "
                                   "query, fragment or spaces");
  }
}

// Kebab case of one string, possibly empty (see kebab_base_name).
std::string kebab(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status)) {
    throw Error(Errc::internal, std::string("ICU NFKD is unavailable: ") + u_errorName(status));
  }
  // Invalid UTF-8 becomes U+FFFD, which, like every other character outside [a-z0-9], is a gap.
  const icu::UnicodeString decomposed =
      nfkd->normalize(icu::UnicodeString::fromUTF8(
                          icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
                      status);
  if (U_FAILURE(status)) {
    throw Error(Errc::internal, std::string("ICU NFKD failed: ") + u_errorName(status));
  }
  std::string out;
  bool gap = false;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    // Marks are dropped without leaving a gap, so "café" becomes "cafe", not "caf-".
    if (u_getCombiningClass(c) != 0 || u_charType(c) == U_NON_SPACING_MARK) continue;
    c = u_tolower(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && !out.empty()) out.push_back('-');
      gap = false;
      out.push_back(static_cast<char>(c));
    } else {
      gap = true;
    }
  }
  if (out.size() > kMaxBaseNameLength) {
    out.resize(kMaxBaseNameLength);
    // A cut that ends on a gap would leave "--" before the time part.
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out;
}

std::string_view file_name_without_extension(std::string_view file_name) {
  const std::size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos && dot > 0) file_name = file_name.substr(0, dot);
  return file_name;
}

void require_upload_time(std::int64_t uploaded_at_ms) {
  if (uploaded_at_ms < 0 || uploaded_at_ms >= kYear10000Ms) {
    throw Error(Errc::invalid, "uploadedAt " + std::to_string(uploaded_at_ms) +
                                   " ms is outside the years 1970 to 9999");
  }
}

}  // namespace

void validate_layout(const ObjectStoreLayout& layout) {
  model::validate_bucket_name(layout.bucket);
  model::validate_key_prefix(layout.prefix);
  validate_public_base_url(layout.public_base_url);
}

std::string kebab_base_name(std::string_view title, std::string_view file_name) {
  std::string base = kebab(title);
  if (base.empty()) base = kebab(file_name_without_extension(file_name));
  if (base.empty()) base = "image";
  return base;
}

std::string date_folder(std::int64_t uploaded_at_ms) {
  require_upload_time(uploaded_at_ms);
  using namespace std::chrono;
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(uploaded_at_ms)))};
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "%04d/%02u_%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text.data();
}

std::string_view preview_extension(std::string_view original_extension) {
  static constexpr std::array<std::string_view, 3> kWritable{"jpg", "png", "webp"};
  static constexpr std::array<std::string_view, 4> kOther{"gif", "avif", "heic", "tiff"};
  for (std::string_view e : kWritable) {
    if (e == original_extension) return e;
  }
  if (std::find(kOther.begin(), kOther.end(), original_extension) != kOther.end()) return "webp";
  throw Error(Errc::invalid, "image extension \"" + std::string(original_extension) +
                                 "\" is not one of jpg, png, webp, gif, avif, heic, tiff");
}

ObjectKeyNamer::ObjectKeyNamer(ObjectStoreLayout layout, NonceSource nonce)
    : layout_(std::move(layout)), nonce_(nonce ? std::move(nonce) : NonceSource(random_base36)) {
  validate_layout(layout_);
  while (layout_.public_base_url.ends_with('/')) layout_.public_base_url.pop_back();
}

std::string ObjectKeyNamer::file_stem(std::string_view title, std::string_view file_name,
                                      std::int64_t uploaded_at_ms) const {
  require_upload_time(uploaded_at_ms);
  const std::string nonce = nonce_(kNonceLength);
  if (nonce.size() != kNonceLength || !is_base36(nonce)) {
    throw Error(Errc::internal,
                "the nonce source returned \"" + nonce + "\" instead of 6 base-36 digits");
  }
  return kebab_base_name(title, file_name) + "-" +
         to_base36(static_cast<std::uint64_t>(uploaded_at_ms)) + "-" + nonce;
}

ObjectKeys ObjectKeyNamer::keys_for(std::string_view title, std::string_view file_name,
                                    std::int64_t uploaded_at_ms,
                                    std::string_view original_extension) const {
  const std::string_view preview_ext = preview_extension(original_extension);
  const std::string stem = file_stem(title, file_name, uploaded_at_ms);
  std::string folder = layout_.prefix.empty() ? "" : layout_.prefix + "/";
  folder += date_folder(uploaded_at_ms) + "/";

  ObjectKeys keys;
  keys.original = folder + "original/" + stem + "." + std::string(original_extension);
  keys.preview = folder + "preview/" + stem + "-preview." + std::string(preview_ext);
  keys.small = folder + "low/" + stem + "-w320.webp";
  keys.medium = folder + "high/" + stem + "-w768.webp";
  keys.large = folder + "high/" + stem + "-w1280.webp";
  // Built only from checked parts, so this cannot fail; checked anyway because a key that
  // escaped its prefix would overwrite someone else's objects.
  for (const std::string* key :
       {&keys.original, &keys.preview, &keys.small, &keys.medium, &keys.large}) {
    require_under_prefix(*key);
  }
  return keys;
}

std::string ObjectKeyNamer::public_url(std::string_view key) const {
  require_under_prefix(key);
  return layout_.public_base_url + "/" + layout_.bucket + "/" + std::string(key);
}

void ObjectKeyNamer::require_under_prefix(std::string_view key) const {
  model::validate_object_key(key);
  if (!layout_.prefix.empty() &&
      !(key.starts_with(layout_.prefix) && key.size() > layout_.prefix.size() &&
        key[layout_.prefix.size()] == '/')) {
    throw Error(Errc::invalid, "object key \"" + std::string(key) +
                                   "\" is not under the prefix \"" + layout_.prefix + "/\"");
  }
}

}  // namespace pindeck::media
