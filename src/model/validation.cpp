// SPDX-License-Identifier: Apache-2.0
#include "model/validation.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "pindeck/error.hpp"
#include "util/hex.hpp"

namespace pindeck::model {

namespace {

[[noreturn]] void refuse(const std::string& field, const std::string& problem) {
  throw Error(Errc::invalid, field + ": " + problem);
}

// Unicode code points in UTF-8 text (the JSON parser has already refused invalid UTF-8).
std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool is_colour(std::string_view s) {
  return s.size() == 7 && s[0] == '#' && util::is_lower_hex(s.substr(1));
}

void require_not_negative(const char* field, const std::optional<std::int64_t>& v) {
  if (v && *v < 0) refuse(field, "must not be negative (got " + std::to_string(*v) + ")");
}

void require_not_empty(const char* field, const std::optional<std::string>& v) {
  if (v && v->empty()) refuse(field, "must not be empty when given");
}

}  // namespace

void validate(const Record& r) {
  if (r.title.empty()) refuse("title", "must not be empty");
  if (auto n = code_points(r.title); n > max_title_chars) {
    refuse("title", "must be at most " + std::to_string(max_title_chars) + " characters (got " +
                        std::to_string(n) + ")");
  }
  if (r.category.empty()) refuse("category", "must not be empty");
  for (std::size_t i = 0; i < r.tags.size(); ++i) {
    if (r.tags[i].empty()) refuse("tags[" + std::to_string(i) + "]", "must not be an empty string");
  }
  require_not_negative("projectOrder", r.project_order);
  if (r.colors) {
    if (r.colors->size() > max_colors) {
      refuse("colors", "at most " + std::to_string(max_colors) + " colours are allowed (got " +
                           std::to_string(r.colors->size()) + ")");
    }
    for (std::size_t i = 0; i < r.colors->size(); ++i) {
      if (!is_colour((*r.colors)[i])) {
        refuse("colors[" + std::to_string(i) + "]",
               "\"" + (*r.colors)[i] + "\" is not a lowercase #rrggbb colour");
      }
    }
  }
  if (r.uploaded_at < 0) refuse("uploadedAt", "must not be negative");
  require_not_negative("ingestedAt", r.ingested_at);
  require_not_negative("variationCount", r.variation_count);
  require_not_negative("width", r.width);
  require_not_negative("height", r.height);
  require_not_negative("byteSize", r.byte_size);
  require_not_empty("externalId", r.external_id);
  require_not_empty("generationArtifactKey", r.generation_artifact_key);
  require_not_empty("parentImageId", r.parent_image_id);
  require_not_empty("contentType", r.content_type);
  if (r.sha256 && (r.sha256->size() != 64 || !util::is_lower_hex(*r.sha256))) {
    refuse("sha256", "must be 64 lowercase hexadecimal digits");
  }
}

void drop_repeated_tags(Record& record) {
  std::unordered_set<std::string> seen;
  std::erase_if(record.tags, [&](const std::string& tag) { return !seen.insert(tag).second; });
}

}  // namespace pindeck::model
