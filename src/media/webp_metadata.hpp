// SPDX-License-Identifier: Apache-2.0
// Removes metadata chunks (EXIF, XMP, ICC profile) from an encoded WebP. libvips 8.14's WebP saver
// writes an EXIF chunk even when told to strip, and derivatives must carry no metadata.
#pragma once

#include <cstddef>
#include <vector>

namespace pindeck::media {

// Rewrites `webp` in place without its EXIF, XMP and ICCP chunks, clearing the matching VP8X
// flags. Bytes that are not a well-formed WebP container are left as they are.
void strip_webp_metadata(std::vector<std::byte>& webp);

}  // namespace pindeck::media
