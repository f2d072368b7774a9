// SPDX-License-Identifier: Apache-2.0
// Reading a Pindeck library exported from Convex (`npx convex export`: one folder per table, each
// with documents.jsonl, plus _tables/ and _storage/; as a directory or a .zip of it), so that
// `pindeck import --pindeck-export` can move it in. Only the `images` table is read; what it
// yields is fetched and persisted like any other source by the importer.
//
// How an `images` document becomes a record:
// - Every field the record model has keeps its camelCase name and value: title, description,
//   category, tags, group, projectName, projectOrder, moodboardName, uniqueId, sourceType, colors,
//   genre, style, shot, aiStatus, likes, views, uploadedAt, ingestedAt, uploadedBy, status,
//   source, sourceUrl, externalId, sref, generationArtifactKey, variationCount, variationType,
//   modificationMode, variationDetail. uploadedBy is a Convex id of `users` and stays that text.
//   Colours are lowercased (Pindeck accepts #RRGGBB in either case, the record model lowercase).
// - The persistence fields are not carried over, since the new library persists its own copies:
//   imageUrl becomes SourceItem::image_url (the bytes to fetch); previewUrl, storageId,
//   storageProvider, storageBucket, storagePath, previewStoragePath, derivativeUrls,
//   derivativeStoragePaths, storagePersistStatus and storagePersistError are dropped.
// - Dropped as the record model lacks them: nextcloudPersistStatus, nextcloudPersistError,
//   storageMigration, importBatchId (an id of a table the new library has no counterpart of), the
//   orchestration* fields (Pindeck's job bookkeeping), and any field a later Pindeck adds.
// - uploadedAt is the document's own, else its _creationTime; Convex numbers are doubles, so
//   both times are rounded to whole milliseconds.
// - Idempotent on the old id: externalId is the document's own when it has one (Discord and
//   Pinterest imports, so they also match what those sources ingest anew), else
//   "convex:<_id>". A second import of the same export therefore finds the records the first
//   one stored.
// - parentImageId names the parent's Convex _id, which the new library does not know: it is
//   left out of the record and kept in ExportOrigin::old_parent_id, for the importer to set the
//   parent's new id before it creates the variation (the record's variationType, which the model
//   allows only with a parent, is kept). Parents come before their variations in `items`.
//
// A document that cannot be imported is reported with its line and the reason, and the others
// are still read: a line that is not a JSON object, no _id, no imageUrl, a field the record
// validation refuses, an _id, externalId or generationArtifactKey an earlier document already
// has, a parent that is not in the export or cannot be imported itself, a cycle of parents.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sources/source_item.hpp"

namespace pindeck::sources {

struct ExportProblem {
  std::size_t line = 0;  // 1-based line of images/documents.jsonl
  std::string old_id;    // the document's _id; empty when it has none (or is not JSON)
  std::string reason;

  bool operator==(const ExportProblem&) const = default;
};

// Where an item came from, so the importer can map old ids to the new library's.
struct ExportOrigin {
  std::size_t line = 0;
  std::string old_id;                        // the document's Convex _id
  std::optional<std::string> old_parent_id;  // its parentImageId, the _id of an earlier item

  bool operator==(const ExportOrigin&) const = default;
};

struct PindeckExport {
  std::vector<SourceItem> items;        // in file order, except that parents come first
  std::vector<ExportOrigin> origins;    // origins[i] is where items[i] came from
  std::vector<ExportProblem> problems;  // documents that cannot be imported, and why, by line
};

// Reads images/documents.jsonl of a Convex export, given as its directory or as a .zip of it (at
// its top or inside one folder, as zipping the directory makes it). The file is read line by
// line, never whole. Throws Error(Errc::not_found) when the path or the images table is missing;
// Errc::invalid naming what is wrong with a file that is not a Convex export (not a directory or
// a zip archive, a damaged archive); Errc::io when reading fails midway.
PindeckExport read_pindeck_export(const std::filesystem::path& dir_or_zip);

}  // namespace pindeck::sources
