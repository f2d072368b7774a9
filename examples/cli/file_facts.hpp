// What the command learns from a file's bytes before recording it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pindeck_cli {

struct FileFacts {
  std::int64_t byte_size = 0;
  std::string sha256;                       // lowercase hex
  std::optional<std::string> content_type;  // from the magic bytes; none when not an image
};

// Reads the whole file once. Throws std::runtime_error naming the file when it cannot be read.
FileFacts inspect_file(const std::filesystem::path& file);

// The image type the first bytes of a file announce (image/jpeg, image/png, image/gif,
// image/webp, image/avif, image/heic, image/tiff), or none.
std::optional<std::string> sniff_content_type(std::string_view head);

// A file:// URL for an absolute path, percent-encoding what URLs do not allow.
std::string file_url(const std::filesystem::path& absolute);

}  // namespace pindeck_cli
