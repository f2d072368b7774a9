// SPDX-License-Identifier: Apache-2.0
// The image formats libpindeck accepts, and how to recognise them from their first bytes.
// The format is always sniffed from the bytes: never from a file name or a client's content type.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace pindeck::media {

enum class ImageFormat { jpeg, png, webp, gif, avif, heic, tiff };

// The format whose signature the bytes start with, or nullopt if they match none.
std::optional<ImageFormat> sniff_format(std::span<const std::byte> bytes) noexcept;

// File extension used in object keys: "jpg", "png", "webp", "gif", "avif", "heic", "tiff".
std::string_view extension(ImageFormat format) noexcept;

// MIME type, e.g. "image/jpeg".
std::string_view content_type(ImageFormat format) noexcept;

}  // namespace pindeck::media
