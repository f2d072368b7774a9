// SPDX-License-Identifier: Apache-2.0
// AI variations (DESIGN §7): a generated image registered under the record it was made from, with
// what it inherits from its lineage as Pindeck gives it.
#pragma once

#include <string_view>

#include "catalog/catalog.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"
#include "pipeline/persistence.hpp"
#include "sources/fetcher.hpp"

namespace pindeck::sources {

// How many records, from the parent up, are looked at for a moderated source (discord or
// pinterest) that a variation inherits: a variation 12 levels below a Discord root still is
// `discord`, one 13 levels below is `ai` (as Pindeck's MAX_SOURCE_LINEAGE_DEPTH).
inline constexpr int source_lineage_depth = 12;

// The record a variation of `parent` becomes, before its bytes are known: `given` holds what the
// host says (generationArtifactKey, uploadedBy, description, modificationMode, variationDetail,
// variationType, sourceUrl, ...). parentImageId is the parent; title, category, group,
// projectName, moodboardName and uniqueId are the parent's; description the parent's, else the
// given one; tags the parent's plus `generated` and `variation`; sref and sourceUrl the given
// ones, else the parent's, else the root's; source "AI Generation"; sourceType the nearest
// moderated source within source_lineage_depth records (the parent included), else `ai`; status
// `pending` when there is such a source (back to moderation), else `active`. Errc::not_found
// naming a missing parent.
Record variation_record(catalog::Catalog& catalog, std::string_view parent_id, Record given);

// Where a variation's bytes come from: exactly one of them.
struct VariationImage {
  pipeline::UploadSource upload;  // a file, bytes or a reader
  std::string url;                // else fetched through the safe fetcher
};

// Registers a variation: variation_record() with the image's bytes, staged and persisted as an
// upload is. Idempotent on generationArtifactKey: a key already stored returns that record with
// created=false, and nothing is read or fetched. The errors of variation_record(), of the upload
// (Errc::media for bytes that are no image, ...) or of fetch().
CreateResult register_variation(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                                std::string_view parent_id, const VariationImage& image,
                                Record given, const FetchOptions& options);

}  // namespace pindeck::sources
