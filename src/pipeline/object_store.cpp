#include "pipeline/object_store.hpp"

#include "pindeck/error.hpp"

namespace pindeck::pipeline {

void check_object_key(std::string_view key) {
  const auto refuse = [&](const std::string& why) {
    throw Error(Errc::invalid, "object key '" + std::string(key) + "' " + why);
  };
  if (key.empty() || key.size() > 1024) refuse("must be 1 to 1024 bytes long");
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) refuse("has a character outside [a-z0-9/_.-]");
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = key.find('/', start);
    const std::string_view segment =
        key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) refuse("has an empty segment (a leading, trailing or double '/')");
    if (segment == "." || segment == "..") refuse("has a '.' or '..' segment");
    if (segment.size() > 255) refuse("has a segment over 255 bytes");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

}  // namespace pindeck::pipeline
