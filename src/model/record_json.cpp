// SPDX-License-Identifier: Apache-2.0
#include "model/record_json.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "model/enums.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {

using nlohmann::json;

namespace {

[[noreturn]] void refuse(std::string_view field, std::string_view problem) {
  throw Error(Errc::invalid, std::string(field) + ": " + std::string(problem));
}

std::string_view json_type_name(const json& v) {
  if (v.is_number_float()) return "a fractional number";
  if (v.is_number()) return "a number";
  return v.type_name();
}

// Reads the fields of one JSON object by name and remembers which it read, so that whatever is
// left over can be refused as unknown.
class FieldReader {
 public:
  FieldReader(const json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {
    if (!object_.is_object()) {
      refuse(prefix_.empty() ? "record" : prefix_,
             "must be a JSON object, not " + std::string(json_type_name(object_)));
    }
  }

  std::optional<std::string> string(const char* name) {
    const json* v = take(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) wrong_type(name, "a string", *v);
    return v->get<std::string>();
  }

  std::optional<std::int64_t> integer(const char* name) {
    const json* v = take(name);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
    if (v->is_number_unsigned()) {
      auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        refuse(field(name), "is too large");
      }
      return static_cast<std::int64_t>(u);
    }
    if (v->is_number_float()) {
      // JavaScript hosts send 3 as 3.0 at times; only a fractional part is an error.
      double d = v->get<double>();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) {
        return static_cast<std::int64_t>(d);
      }
      refuse(field(name), "must be a whole number, not " + v->dump());
    }
    wrong_type(name, "a whole number", *v);
  }

  std::optional<std::vector<std::string>> strings(const char* name) {
    const json* v = take(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) wrong_type(name, "an array of strings", *v);
    std::vector<std::string> out;
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!item.is_string()) {
        refuse(field(name) + "[" + std::to_string(i) + "]",
               "must be a string, not " + std::string(json_type_name(item)));
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::optional<DerivativeSet> derivatives(const char* name) {
    const json* v = take(name);
    if (v == nullptr) return std::nullopt;
    FieldReader inner(*v, field(name));
    DerivativeSet set;
    set.small = inner.string("small");
    set.medium = inner.string("medium");
    set.large = inner.string("large");
    inner.refuse_unknown();
    return set;
  }

  template <typename Enum>
  std::optional<Enum> enumeration(const char* name,
                                  std::optional<Enum> (*parse)(std::string_view)) {
    auto text = string(name);
    if (!text) return std::nullopt;
    auto value = parse(*text);
    if (!value) {
      refuse(field(name), "unknown value " + json(*text).dump() + " (expected " +
                              std::string(expected_values<Enum>()) + ")");
    }
    return value;
  }

  // A field every record has: absent means the default, null is refused.
  bool present_not_null(const char* name) {
    auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (it->is_null()) refuse(field(name), "must not be null");
    return true;
  }

  void refuse_unknown() const {
    for (const auto& [key, value] : object_.items()) {
      if (!read_.contains(key)) refuse(field(key), "unknown field");
    }
  }

 private:
  const json* take(const char* name) {
    read_.insert(name);
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string field(std::string_view name) const {
    return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
  }

  [[noreturn]] void wrong_type(const char* name, std::string_view expected, const json& v) const {
    refuse(field(name),
           "must be " + std::string(expected) + ", not " + std::string(json_type_name(v)));
  }

  const json& object_;
  std::string prefix_;
  std::set<std::string, std::less<>> read_;
};

void put(json& j, const char* name, const std::optional<std::string>& v) {
  if (v) j[name] = *v;
}
void put(json& j, const char* name, const std::optional<std::int64_t>& v) {
  if (v) j[name] = *v;
}
void put(json& j, const char* name, const std::optional<DerivativeSet>& v) {
  if (!v) return;
  json set = json::object();
  put(set, "small", v->small);
  put(set, "medium", v->medium);
  put(set, "large", v->large);
  j[name] = std::move(set);
}
template <typename Enum>
void put(json& j, const char* name, const std::optional<Enum>& v) {
  if (v) j[name] = std::string(to_string(*v));
}

}  // namespace

json to_json(const Record& r) {
  json j = json::object();
  if (!r.id.empty()) j["id"] = r.id;
  j["title"] = r.title;
  put(j, "description", r.description);
  j["category"] = r.category;
  j["tags"] = r.tags;
  put(j, "group", r.group);
  put(j, "projectName", r.project_name);
  put(j, "projectOrder", r.project_order);
  put(j, "moodboardName", r.moodboard_name);
  if (!r.unique_id.empty()) j["uniqueId"] = r.unique_id;
  put(j, "sourceType", r.source_type);
  if (r.colors) j["colors"] = *r.colors;
  put(j, "genre", r.genre);
  put(j, "style", r.style);
  put(j, "shot", r.shot);
  put(j, "aiStatus", r.ai_status);
  j["likes"] = r.likes;
  j["views"] = r.views;
  put(j, "storageProvider", r.storage_provider);
  put(j, "storageBucket", r.storage_bucket);
  put(j, "storagePersistStatus", r.storage_persist_status);
  put(j, "storagePersistError", r.storage_persist_error);
  put(j, "storageId", r.storage_id);
  put(j, "storagePath", r.storage_path);
  put(j, "previewStoragePath", r.preview_storage_path);
  put(j, "derivativeUrls", r.derivative_urls);
  put(j, "derivativeStoragePaths", r.derivative_storage_paths);
  put(j, "imageUrl", r.image_url);
  put(j, "previewUrl", r.preview_url);
  if (r.uploaded_at != 0) j["uploadedAt"] = r.uploaded_at;
  put(j, "ingestedAt", r.ingested_at);
  put(j, "uploadedBy", r.uploaded_by);
  put(j, "status", r.status);
  put(j, "source", r.source);
  put(j, "sourceUrl", r.source_url);
  put(j, "externalId", r.external_id);
  put(j, "sref", r.sref);
  put(j, "parentImageId", r.parent_image_id);
  put(j, "generationArtifactKey", r.generation_artifact_key);
  put(j, "variationCount", r.variation_count);
  put(j, "variationType", r.variation_type);
  put(j, "modificationMode", r.modification_mode);
  put(j, "variationDetail", r.variation_detail);
  put(j, "contentType", r.content_type);
  put(j, "width", r.width);
  put(j, "height", r.height);
  put(j, "byteSize", r.byte_size);
  put(j, "sha256", r.sha256);
  return j;
}

namespace {

// The fields of a record object, each of its JSON type; the value rules are left to the caller.
Record read_fields(const json& object) {
  FieldReader in(object, "");
  Record r;
  r.id = in.string("id").value_or("");
  if (in.present_not_null("title")) r.title = *in.string("title");
  r.description = in.string("description");
  if (in.present_not_null("category")) r.category = *in.string("category");
  if (in.present_not_null("tags")) r.tags = *in.strings("tags");
  r.group = in.string("group");
  r.project_name = in.string("projectName");
  r.project_order = in.integer("projectOrder");
  r.moodboard_name = in.string("moodboardName");
  if (in.present_not_null("uniqueId")) {
    r.unique_id = *in.string("uniqueId");
    if (r.unique_id.empty()) refuse("uniqueId", "must not be empty");
  }
  r.source_type = in.enumeration("sourceType", parse_source_type);
  r.colors = in.strings("colors");
  r.genre = in.string("genre");
  r.style = in.string("style");
  r.shot = in.string("shot");
  r.ai_status = in.enumeration("aiStatus", parse_ai_status);
  if (in.present_not_null("likes")) r.likes = *in.integer("likes");
  if (in.present_not_null("views")) r.views = *in.integer("views");
  r.storage_provider = in.enumeration("storageProvider", parse_storage_provider);
  r.storage_bucket = in.string("storageBucket");
  r.storage_persist_status = in.enumeration("storagePersistStatus", parse_persist_status);
  r.storage_persist_error = in.string("storagePersistError");
  r.storage_id = in.string("storageId");
  r.storage_path = in.string("storagePath");
  r.preview_storage_path = in.string("previewStoragePath");
  r.derivative_urls = in.derivatives("derivativeUrls");
  r.derivative_storage_paths = in.derivatives("derivativeStoragePaths");
  r.image_url = in.string("imageUrl");
  r.preview_url = in.string("previewUrl");
  if (in.present_not_null("uploadedAt")) r.uploaded_at = *in.integer("uploadedAt");
  r.ingested_at = in.integer("ingestedAt");
  r.uploaded_by = in.string("uploadedBy");
  r.status = in.enumeration("status", parse_record_status);
  r.source = in.string("source");
  r.source_url = in.string("sourceUrl");
  r.external_id = in.string("externalId");
  r.sref = in.string("sref");
  r.parent_image_id = in.string("parentImageId");
  r.generation_artifact_key = in.string("generationArtifactKey");
  r.variation_count = in.integer("variationCount");
  r.variation_type = in.enumeration("variationType", parse_variation_type);
  r.modification_mode = in.string("modificationMode");
  r.variation_detail = in.string("variationDetail");
  r.content_type = in.string("contentType");
  r.width = in.integer("width");
  r.height = in.integer("height");
  r.byte_size = in.integer("byteSize");
  r.sha256 = in.string("sha256");
  in.refuse_unknown();
  return r;
}

}  // namespace

Record from_json(const json& object) {
  Record r = read_fields(object);
  validate(r);
  return r;
}

Record from_stored_json(const json& object) {
  return read_fields(object);
}

Record from_json_changing(const json& object, const Record& before) {
  Record r = read_fields(object);
  validate_change(before, r);
  return r;
}

void require_record_json_size(std::string_view text, std::string_view what) {
  if (text.size() > limits::record_json_bytes) {
    throw Error(Errc::invalid, std::string(what) + ": JSON text of " + std::to_string(text.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(limits::record_json_bytes) + " bytes");
  }
}

void require_batch_json_size(std::string_view text) {
  if (text.size() > limits::batch_json_bytes) {
    throw Error(Errc::invalid, "records: JSON text of " + std::to_string(text.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(limits::batch_json_bytes) + " bytes for a batch");
  }
}

json parse_json_text(std::string_view text, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // A syntax error is a parse_error, a number too large for a double an out_of_range: e.what()
    // reads "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string detail = e.what();
    if (auto pos = detail.find("] "); pos != std::string::npos) detail.erase(0, pos + 2);
    throw Error(Errc::invalid, std::string(what) + ": malformed JSON: " + detail);
  }
}

}  // namespace pindeck::model

namespace pindeck {

std::string record_to_json(const Record& record) {
  try {
    return model::to_json(record).dump();
  } catch (const nlohmann::json::type_error&) {
    throw Error(Errc::invalid, "record: every text field must be valid UTF-8");
  }
}

Record record_from_json(std::string_view json) {
  model::require_record_json_size(json, "record");
  return model::from_json(model::parse_json_text(json, "record"));
}

}  // namespace pindeck
