// SPDX-License-Identifier: Apache-2.0
#include "model/validation.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/storage_names.hpp"
#include "pindeck/error.hpp"
#include "util/hex.hpp"
#include "util/utf8.hpp"

namespace pindeck::model {

namespace {

[[noreturn]] void refuse(std::string_view field, const std::string& problem) {
  throw Error(Errc::invalid, std::string(field) + ": " + problem);
}

// The code point starting at text[i], advancing i past it; -1 (i unchanged) where the bytes are
// not UTF-8.
long next_code_point(std::string_view text, std::size_t& i) {
  const auto cp = util::utf8_at(text, i);
  if (!cp) return -1;
  i += cp->bytes;
  return static_cast<long>(cp->value);
}

bool is_control(long cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

enum class Lines { one, multi };
enum class Unit { chars, bytes };

std::string hex_code_point(long cp) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out = "U+00";
  out += digits[(cp >> 4) & 0xF];
  out += digits[cp & 0xF];
  return out;
}

void check_value(std::string_view field, std::string_view text, std::size_t max, Unit unit,
                 Lines lines) {
  if (unit == Unit::bytes && text.size() > max) {
    refuse(field, "must be at most " + std::to_string(max) + " bytes (got " +
                      std::to_string(text.size()) + ")");
  }
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++chars) {
    const long cp = next_code_point(text, i);
    if (cp < 0) refuse(field, "is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    if (is_control(cp) && !(lines == Lines::multi && (cp == '\n' || cp == '\t'))) {
      refuse(field, "contains the control character " + hex_code_point(cp) + " at character " +
                        std::to_string(chars) +
                        (lines == Lines::one ? "; a one-line field takes no control characters"
                                             : "; only newline and tab are allowed"));
    }
  }
  if (unit == Unit::chars && chars > max) {
    refuse(field, "must be at most " + std::to_string(max) + " characters (got " +
                      std::to_string(chars) + ")");
  }
}

void check_text(std::string_view field, const std::optional<std::string>& text, std::size_t max,
                Unit unit, Lines lines = Lines::one) {
  if (text) check_value(field, *text, max, unit, lines);
}

void require_not_empty(const char* field, const std::optional<std::string>& v) {
  if (v && v->empty()) refuse(field, "must not be empty when given");
}

void check_range(const char* field, const std::optional<std::int64_t>& v, std::int64_t max,
                 std::string_view max_note = {}) {
  if (!v) return;
  if (*v < 0) refuse(field, "must not be negative (got " + std::to_string(*v) + ")");
  if (*v > max) {
    refuse(field, "must be at most " + std::to_string(max) + std::string(max_note) + " (got " +
                      std::to_string(*v) + ")");
  }
}

// Runs a rule of storage_names, naming the record field in its refusal.
template <typename Rule>
void check_storage_name(std::string_view field, const std::optional<std::string>& value,
                        Rule&& rule) {
  if (!value) return;
  try {
    rule(*value);
  } catch (const Error& e) {
    refuse(field, e.what());
  }
}

void check_keys(std::string_view field, const std::optional<DerivativeSet>& set) {
  if (!set) return;
  const std::string f(field);
  check_storage_name(f + ".small", set->small, validate_object_key);
  check_storage_name(f + ".medium", set->medium, validate_object_key);
  check_storage_name(f + ".large", set->large, validate_object_key);
}

void check_urls(std::string_view field, const std::optional<DerivativeSet>& set) {
  if (!set) return;
  const std::string f(field);
  check_text(f + ".small", set->small, limits::url_bytes, Unit::bytes);
  check_text(f + ".medium", set->medium, limits::url_bytes, Unit::bytes);
  check_text(f + ".large", set->large, limits::url_bytes, Unit::bytes);
}

void check_tags(const std::vector<std::string>& tags) {
  if (tags.size() > limits::tags) {
    refuse("tags", "at most " + std::to_string(limits::tags) + " tags are allowed (got " +
                       std::to_string(tags.size()) + ")");
  }
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    if (tags[i].empty()) refuse(field, "must not be an empty string");
    check_value(field, tags[i], limits::tag_chars, Unit::chars, Lines::one);
  }
}

void check_colors(const std::optional<std::vector<std::string>>& colors) {
  if (!colors) return;
  if (colors->size() > limits::colors) {
    refuse("colors", "at most " + std::to_string(limits::colors) + " colours are allowed (got " +
                         std::to_string(colors->size()) + ")");
  }
  for (std::size_t i = 0; i < colors->size(); ++i) {
    const std::string& c = (*colors)[i];
    if (c.size() == 7 && c[0] == '#' && util::is_lower_hex(std::string_view(c).substr(1))) continue;
    const bool printable = c.size() <= 16 && std::all_of(c.begin(), c.end(), [](char ch) {
                             return ch >= 0x20 && ch < 0x7F;
                           });
    refuse("colors[" + std::to_string(i) + "]",
           (printable ? "\"" + c + "\"" : std::string("the value")) +
               " is not a lowercase #rrggbb colour");
  }
}

// genre, style and shot: one-line labels like category, but optional.
void check_label(const char* field, const std::optional<std::string>& label) {
  require_not_empty(field, label);
  check_text(field, label, limits::label_chars, Unit::chars);
}

constexpr const char* max_time_note = " (9999-12-31T23:59:59.999Z)";

// Checks every field of `r`, or only those that differ from `before` when it is given.
void check(const Record& r, const Record* before) {
  const auto changed = [&](auto member) {
    return before == nullptr || r.*member != before->*member;
  };

  if (changed(&Record::title)) {
    if (r.title.empty()) refuse("title", "must not be empty");
    check_value("title", r.title, limits::title_chars, Unit::chars, Lines::one);
  }
  if (changed(&Record::description)) {
    check_text("description", r.description, limits::description_chars, Unit::chars, Lines::multi);
  }
  if (changed(&Record::category)) {
    if (r.category.empty()) refuse("category", "must not be empty");
    check_value("category", r.category, limits::category_chars, Unit::chars, Lines::one);
  }
  if (changed(&Record::tags)) check_tags(r.tags);
  if (changed(&Record::group)) check_text("group", r.group, limits::name_chars, Unit::chars);
  if (changed(&Record::project_name)) {
    check_text("projectName", r.project_name, limits::name_chars, Unit::chars);
  }
  if (changed(&Record::project_order)) check_range("projectOrder", r.project_order, limits::count);
  if (changed(&Record::moodboard_name)) {
    check_text("moodboardName", r.moodboard_name, limits::name_chars, Unit::chars);
  }
  if (changed(&Record::unique_id) && !r.unique_id.empty()) {
    check_value("uniqueId", r.unique_id, limits::id_bytes, Unit::bytes, Lines::one);
  }
  if (changed(&Record::colors)) check_colors(r.colors);
  if (changed(&Record::genre)) check_label("genre", r.genre);
  if (changed(&Record::style)) check_label("style", r.style);
  if (changed(&Record::shot)) check_label("shot", r.shot);
  if (changed(&Record::likes)) check_range("likes", r.likes, limits::count);
  if (changed(&Record::views)) check_range("views", r.views, limits::count);

  if (changed(&Record::storage_bucket)) {
    check_storage_name("storageBucket", r.storage_bucket, validate_bucket_name);
  }
  if (changed(&Record::storage_persist_error)) {
    check_text("storagePersistError", r.storage_persist_error, limits::persist_error_chars,
               Unit::chars, Lines::multi);
  }
  if (changed(&Record::storage_id)) {
    check_storage_name("storageId", r.storage_id, validate_storage_id);
  }
  if (changed(&Record::storage_path)) {
    check_storage_name("storagePath", r.storage_path, validate_object_key);
  }
  if (changed(&Record::preview_storage_path)) {
    check_storage_name("previewStoragePath", r.preview_storage_path, validate_object_key);
  }
  if (changed(&Record::derivative_urls)) check_urls("derivativeUrls", r.derivative_urls);
  if (changed(&Record::derivative_storage_paths)) {
    check_keys("derivativeStoragePaths", r.derivative_storage_paths);
  }
  if (changed(&Record::image_url)) {
    check_text("imageUrl", r.image_url, limits::url_bytes, Unit::bytes);
  }
  if (changed(&Record::preview_url)) {
    check_text("previewUrl", r.preview_url, limits::url_bytes, Unit::bytes);
  }

  if (changed(&Record::uploaded_at)) {
    if (r.uploaded_at < 0) refuse("uploadedAt", "must not be negative");
    check_range("uploadedAt", r.uploaded_at, limits::time_ms, max_time_note);
  }
  if (changed(&Record::ingested_at)) {
    check_range("ingestedAt", r.ingested_at, limits::time_ms, max_time_note);
  }
  if (changed(&Record::uploaded_by)) {
    check_text("uploadedBy", r.uploaded_by, limits::id_bytes, Unit::bytes);
  }
  if (changed(&Record::source)) check_text("source", r.source, limits::name_chars, Unit::chars);
  if (changed(&Record::source_url)) {
    check_text("sourceUrl", r.source_url, limits::url_bytes, Unit::bytes);
  }
  if (changed(&Record::external_id)) {
    require_not_empty("externalId", r.external_id);
    check_text("externalId", r.external_id, limits::external_key_bytes, Unit::bytes);
  }
  if (changed(&Record::sref)) check_text("sref", r.sref, limits::sref_chars, Unit::chars);
  if (changed(&Record::parent_image_id)) {
    require_not_empty("parentImageId", r.parent_image_id);
    check_text("parentImageId", r.parent_image_id, limits::id_bytes, Unit::bytes);
  }
  if (changed(&Record::generation_artifact_key)) {
    require_not_empty("generationArtifactKey", r.generation_artifact_key);
    check_text("generationArtifactKey", r.generation_artifact_key, limits::external_key_bytes,
               Unit::bytes);
  }
  if (changed(&Record::variation_count)) {
    check_range("variationCount", r.variation_count, limits::count);
  }
  // The type says what a variation changed from its parent, so it needs one.
  if ((changed(&Record::variation_type) || changed(&Record::parent_image_id)) && r.variation_type &&
      !r.parent_image_id) {
    refuse("variationType", "is only for a variation: set parentImageId too");
  }
  if (changed(&Record::modification_mode)) {
    check_text("modificationMode", r.modification_mode, limits::modification_mode_chars,
               Unit::chars);
  }
  if (changed(&Record::variation_detail)) {
    check_text("variationDetail", r.variation_detail, limits::variation_detail_chars, Unit::chars);
  }

  if (changed(&Record::content_type)) {
    require_not_empty("contentType", r.content_type);
    check_text("contentType", r.content_type, limits::content_type_bytes, Unit::bytes);
  }
  if (changed(&Record::width)) check_range("width", r.width, limits::count);
  if (changed(&Record::height)) check_range("height", r.height, limits::count);
  if (changed(&Record::byte_size)) check_range("byteSize", r.byte_size, limits::count);
  if (changed(&Record::sha256) && r.sha256 &&
      (r.sha256->size() != 64 || !util::is_lower_hex(*r.sha256))) {
    refuse("sha256", "must be 64 lowercase hexadecimal digits");
  }
}

}  // namespace

void validate(const Record& record) {
  check(record, nullptr);
}

void validate_change(const Record& before, const Record& after) {
  check(after, &before);
}

void require_utf8(std::string_view field, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (next_code_point(text, i) < 0) {
      refuse(field, "is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    }
  }
}

std::string fit_message(std::string_view message, std::size_t max_chars) {
  std::string out;
  std::vector<std::size_t> ends;  // the end in `out` of each character
  for (std::size_t i = 0; i < message.size();) {
    const std::size_t start = i;
    const long cp = next_code_point(message, i);
    if (cp < 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      ++i;
    } else if (is_control(cp) && cp != '\n' && cp != '\t') {
      out += ' ';
    } else {
      out.append(message.substr(start, i - start));
    }
    ends.push_back(out.size());
  }
  if (ends.size() <= max_chars) return out;
  const std::size_t keep = max_chars > 3 ? max_chars - 3 : 0;
  out.resize(keep == 0 ? 0 : ends[keep - 1]);
  return out + "...";
}

void drop_repeated_tags(Record& record) {
  std::unordered_set<std::string> seen;
  std::erase_if(record.tags, [&](const std::string& tag) { return !seen.insert(tag).second; });
}

}  // namespace pindeck::model
