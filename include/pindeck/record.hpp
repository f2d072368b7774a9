// SPDX-License-Identifier: Apache-2.0
// The image record (DESIGN §2) as a plain C++ value, and its JSON form.
//
// JSON uses Pindeck's camelCase field names; optional fields are absent (never null) when unset.
// Fields the library assigns (id, uniqueId when not given, uploadedAt when not given) are filled in
// by pindeck::Client when a record is created.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/export.h"

namespace pindeck {

enum class SourceType { upload, discord, pinterest, ai };
enum class StorageProvider { convex, rustfs, local };
enum class PersistStatus { pending, succeeded, failed };
enum class RecordStatus { active, draft, pending, broken };

// The three WebP derivatives of DESIGN §4, as URLs or as object keys.
struct DerivativeSet {
  std::optional<std::string> small;
  std::optional<std::string> medium;
  std::optional<std::string> large;

  bool operator==(const DerivativeSet&) const = default;
};

struct Record {
  // Assigned by the library: time-sortable, unique in the catalog.
  std::string id;

  // Seed fields.
  std::string title = "Untitled";
  std::optional<std::string> description;
  std::string category = "General";
  std::vector<std::string> tags;
  std::optional<std::string> group;
  std::optional<std::string> project_name;
  std::optional<std::int64_t> project_order;  // 0-based position inside a project row
  std::optional<std::string> moodboard_name;
  std::string unique_id;  // "img-<ms>-<7 base-36 chars>" unless the host chose one
  std::optional<SourceType> source_type;
  std::optional<std::vector<std::string>> colors;  // lowercase #rrggbb, at most 5

  // Persistence fields.
  std::optional<StorageProvider> storage_provider;
  std::optional<std::string> storage_bucket;
  std::optional<PersistStatus> storage_persist_status;
  std::optional<std::string> storage_persist_error;
  std::optional<std::string> storage_id;
  std::optional<std::string> storage_path;
  std::optional<std::string> preview_storage_path;
  std::optional<DerivativeSet> derivative_urls;
  std::optional<DerivativeSet> derivative_storage_paths;
  std::optional<std::string> image_url;
  std::optional<std::string> preview_url;

  // Provenance, moderation and lineage.
  std::int64_t uploaded_at = 0;  // ms since epoch; 0 means "now" when the record is created
  std::optional<std::int64_t> ingested_at;
  std::optional<std::string> uploaded_by;
  std::optional<RecordStatus> status;
  std::optional<std::string> source;
  std::optional<std::string> source_url;
  std::optional<std::string> external_id;  // idempotency key of imports, unique
  std::optional<std::string> sref;
  std::optional<std::string> parent_image_id;
  std::optional<std::string> generation_artifact_key;  // unique
  std::optional<std::int64_t> variation_count;
  std::optional<std::string> modification_mode;
  std::optional<std::string> variation_detail;

  // What the library learns from the bytes of the original.
  std::optional<std::string> content_type;
  std::optional<std::int64_t> width;
  std::optional<std::int64_t> height;
  std::optional<std::int64_t> byte_size;
  std::optional<std::string> sha256;

  bool operator==(const Record&) const = default;
};

// The record as compact JSON text.
PD_EXPORT std::string record_to_json(const Record& record);

// Parses and validates JSON text into a record. Throws pindeck::Error(Errc::invalid) naming the
// field and the problem. Fields left out get their defaults (id and uniqueId stay empty).
PD_EXPORT Record record_from_json(std::string_view json);

}  // namespace pindeck
