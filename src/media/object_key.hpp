// SPDX-License-Identifier: Apache-2.0
// Object keys and public URLs of an image's objects in the object store (DESIGN §3):
//
//   <prefix>/YYYY/MM_DD/original/<file>.<ext>
//   <prefix>/YYYY/MM_DD/preview/<file>-preview.<ext>
//   <prefix>/YYYY/MM_DD/low/<file>-w320.webp        (small)
//   <prefix>/YYYY/MM_DD/high/<file>-w768.webp       (medium)
//   <prefix>/YYYY/MM_DD/high/<file>-w1280.webp      (large)
//
// with <file> = kebab-case title, "-", upload time in base 36, "-", 6 random base-36 digits.
// Every key is checked before it is handed out (model::validate_object_key) and must lie under
// the configured prefix. Keys are fixed once, when the record is
// created, so a retry rewrites the same objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pindeck::media {

// Where objects go and how they are reached from outside.
struct ObjectStoreLayout {
  std::string bucket = "pindeck";
  std::string prefix = "media-uploads";  // may be empty: keys then start at the year
  std::string public_base_url;           // e.g. the S3 endpoint, "http://127.0.0.1:9000"
};

// Throws Error(Errc::invalid) naming the field if the bucket is not a valid S3 bucket name, the
// prefix is not a safe key prefix, or the public base URL is not an http(s) URL.
void validate_layout(const ObjectStoreLayout& layout);

// The base of an object's file name: the title in kebab case (Unicode NFKD, combining marks
// dropped, lowercased, every run outside [a-z0-9] made one '-', '-' trimmed at both ends, cut to
// 96 characters), else the same of `file_name` without folder and extension, else "image".
std::string kebab_base_name(std::string_view title, std::string_view file_name);

// "YYYY/MM_DD" of a time in ms since the epoch, in UTC. Throws Error(Errc::invalid) for times
// before 1970 or after 9999.
std::string date_folder(std::int64_t uploaded_at_ms);

// Extension of the preview: the original's where libvips can write that format (jpg, png, webp),
// else webp. Throws Error(Errc::invalid) for an extension that is not one of jpg, png, webp,
// gif, avif, heic, tiff.
std::string_view preview_extension(std::string_view original_extension);

struct ObjectKeys {
  std::string original;
  std::string preview;
  std::string small;   // w320
  std::string medium;  // w768
  std::string large;   // w1280
};

// Returns `length` base-36 digits; the default is random_base36 (OpenSSL's CSPRNG). Tests inject
// a fixed source.
using NonceSource = std::function<std::string(std::size_t length)>;

class ObjectKeyNamer {
 public:
  // Throws Error(Errc::invalid) if the layout is invalid (see validate_layout).
  explicit ObjectKeyNamer(ObjectStoreLayout layout, NonceSource nonce = {});

  // "<kebab base>-<uploaded_at_ms in base 36>-<6 nonce digits>".
  std::string file_stem(std::string_view title, std::string_view file_name,
                        std::int64_t uploaded_at_ms) const;

  // The five keys of one image. `original_extension` is the sniffed format's extension.
  ObjectKeys keys_for(std::string_view title, std::string_view file_name,
                      std::int64_t uploaded_at_ms, std::string_view original_extension) const;

  // "<public_base_url>/<bucket>/<key>". Throws Error(Errc::invalid) unless `key` is a safe key
  // under this layout's prefix.
  std::string public_url(std::string_view key) const;

  const ObjectStoreLayout& layout() const noexcept { return layout_; }

 private:
  void require_under_prefix(std::string_view key) const;

  ObjectStoreLayout layout_;
  NonceSource nonce_;
};

}  // namespace pindeck::media
