// SPDX-License-Identifier: Apache-2.0
// The image record (DESIGN §2) as a plain C++ value, and its JSON form.
//
// JSON uses Pindeck's camelCase field names; optional fields are absent (never null) when unset.
// Fields the library assigns (id, uniqueId when not given, uploadedAt when not given) are filled in
// by pindeck::Client when a record is created.
#pragma once

#include <cstddef>
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
// Where Pindeck's vision model is with a record (genre, style, shot, tags, ...).
enum class AiStatus { queued, processing, completed, failed };
// What an AI variation changed from its parent.
enum class VariationType { shot_type, style };
// The counters a host bumps with Client::increment().
enum class Counter { likes, views };

// Limits on what a record holds (DESIGN §2), refused with Errc::invalid naming the field and the
// limit wherever a record is created or changed. People's text is counted in characters (Unicode
// code points), machine text (ids, keys, URLs) in bytes. They are generous for Pindeck's data (its
// Discord bot cuts titles to 120 characters and descriptions to 1,000; its vision model gives 5 to
// 10 tags) and keep one record under 1 MiB of JSON. Every text field is one line: no control
// characters (U+0000-U+001F, U+007F-U+009F); multi-line fields (description,
// storagePersistError) may also hold newline and tab.
namespace limits {
inline constexpr std::size_t title_chars = 300;
inline constexpr std::size_t description_chars = 10000;  // multi-line
inline constexpr std::size_t category_chars = 100;
inline constexpr std::size_t label_chars = 100;  // genre, style, shot (from the vision model)
inline constexpr std::size_t tag_chars = 100;    // each tag
inline constexpr std::size_t tags = 100;         // tags on one record
inline constexpr std::size_t name_chars = 200;   // group, projectName, moodboardName, source
inline constexpr std::size_t sref_chars = 1000;
inline constexpr std::size_t modification_mode_chars = 200;
inline constexpr std::size_t variation_detail_chars = 2000;
inline constexpr std::size_t persist_error_chars = 4000;  // multi-line; the library writes it
inline constexpr std::size_t id_bytes = 256;              // uniqueId, uploadedBy, parentImageId
inline constexpr std::size_t external_key_bytes = 512;    // externalId, generationArtifactKey
inline constexpr std::size_t url_bytes = 8192;  // sourceUrl, imageUrl, previewUrl, derivativeUrls
inline constexpr std::size_t content_type_bytes = 255;
inline constexpr std::size_t colors = 5;
// storageBucket follows S3's bucket rules (3-63 bytes), storagePath, previewStoragePath and
// derivativeStoragePaths the object key rules of DESIGN §3 (at most 1024 bytes, no ".."),
// storageId is 32 lowercase hex digits (a first-stage store handle), sha256 64.

// uploadedAt and ingestedAt: ms since the epoch, up to 9999-12-31T23:59:59.999Z (what ISO 8601
// and JavaScript dates can show).
inline constexpr std::int64_t time_ms = 253402300799999;
// projectOrder, variationCount, likes, views, width, height, byteSize: 0 to 2^53 - 1, so
// JavaScript hosts read them exactly.
inline constexpr std::int64_t count = 9007199254740991;
// The JSON text of one record or one patch.
inline constexpr std::size_t record_json_bytes = std::size_t{1} << 20;
// Records in one create_batch(), and the JSON text of one batch.
inline constexpr std::size_t batch_records = 1000;
inline constexpr std::size_t batch_json_bytes = std::size_t{16} << 20;
}  // namespace limits

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

  // What Pindeck's vision model says of the image ("Noir", "35mm Film", "Medium Shot"), one line
  // each, never empty when given; and where that analysis is.
  std::optional<std::string> genre;
  std::optional<std::string> style;
  std::optional<std::string> shot;
  std::optional<AiStatus> ai_status;

  // Counters every record has (as in Pindeck), changed atomically with Client::increment().
  std::int64_t likes = 0;
  std::int64_t views = 0;

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
  std::optional<VariationType> variation_type;  // only on a variation (with parent_image_id)
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

// The record as compact JSON text. Throws pindeck::Error(Errc::invalid) when a text field is not
// valid UTF-8.
PD_EXPORT std::string record_to_json(const Record& record);

// Parses and validates JSON text (at most limits::record_json_bytes) into a record. Throws
// pindeck::Error(Errc::invalid) naming the field and the problem. Fields left out get their
// defaults (id and uniqueId stay empty).
PD_EXPORT Record record_from_json(std::string_view json);

}  // namespace pindeck
