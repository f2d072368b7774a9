// SPDX-License-Identifier: Apache-2.0
// Whether an image file is whole: the structure that ends each format is checked, so a file cut
// short (an interrupted download, a partial copy) is refused at ingest instead of failing at
// derivation forever. Cheap on purpose: it reads the last bytes of the file or the few top-level
// structures that say how long it is, never the pixels.
#pragma once

#include <cstddef>
#include <span>

#include "media/format.hpp"

namespace pindeck::media {

// Bytes at the end of a JPEG or PNG searched for its end marker; what follows that marker (a
// camera's trailer) is accepted. A JPEG whose marker is not there is then scanned forward.
inline constexpr std::size_t completeness_tail_bytes = 64 * 1024;

// Throws Error(Errc::media) "media: the <format> image is truncated: <what is missing>" when
// `bytes` (sniffed as `format`) lack the end their format requires:
//   jpeg  an end-of-image marker (FF D9) after the start of the first scan; bytes after it are
//         accepted (cameras append trailers: MPF pictures, motion-photo videos)
//   png   the IEND chunk, within the last 64 KiB
//   webp  as many bytes as the RIFF header declares
//   gif   the trailer (3B) right after a block terminator (00) at the very end
//   avif, heic  top-level boxes that end exactly at the end of the file
//   tiff  the first image directory and every strip or tile it points to
void check_complete(std::span<const std::byte> bytes, ImageFormat format);

}  // namespace pindeck::media
