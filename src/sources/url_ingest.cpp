// SPDX-License-Identifier: Apache-2.0
#include "sources/url_ingest.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "pindeck/error.hpp"
#include "sources/source_url.hpp"
#include "staging/store.hpp"

namespace pindeck::sources {

namespace {

std::optional<Record> stored_under_keys(catalog::Catalog& catalog, const Record& metadata) {
  if (metadata.external_id) {
    if (auto stored = catalog.find_by(catalog::RecordKey::external_id, *metadata.external_id)) {
      return stored;
    }
  }
  if (metadata.generation_artifact_key) {
    return catalog.find_by(catalog::RecordKey::generation_artifact_key,
                           *metadata.generation_artifact_key);
  }
  return std::nullopt;
}

// Fetches the item's image into staging and ingests it; the caller has looked up its keys.
CreateResult fetch_and_ingest(pipeline::Persistence& persistence, SourceItem item,
                              const FetchOptions& options) {
  Record& metadata = item.metadata;
  if (!metadata.parent_image_id &&
      std::find(metadata.tags.begin(), metadata.tags.end(), "original") == metadata.tags.end()) {
    metadata.tags.emplace_back("original");
  }

  staging::StagingWriter writer(persistence.staging_store());
  fetch(item.image_url, options,
        [&writer](std::span<const std::byte> chunk) { writer.write(chunk); });
  pipeline::UploadSource source;
  source.staged = writer.commit();
  if (auto name = file_name_of_url(item.image_url); !name.empty()) source.file_name = name;
  return persistence.ingest_once(source, std::move(metadata));
}

}  // namespace

CreateResult ingest_item(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                         SourceItem item, const FetchOptions& options) {
  if (auto stored = stored_under_keys(catalog, item.metadata)) return {std::move(*stored), false};
  return fetch_and_ingest(persistence, std::move(item), options);
}

CreateResult ingest_url(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                        std::string_view url, Record metadata, const FetchOptions& options) {
  const std::string cleaned = normalise_source_url(url);
  if (cleaned.empty()) throw Error(Errc::invalid, "URL: empty once white space is trimmed");
  if (!metadata.source_url) metadata.source_url = cleaned;
  if (auto stored = stored_under_keys(catalog, metadata)) return {std::move(*stored), false};
  if (auto stored = catalog.find_by(catalog::RecordKey::source_url, *metadata.source_url)) {
    return {std::move(*stored), false};
  }
  return fetch_and_ingest(persistence, SourceItem{cleaned, std::move(metadata)}, options);
}

}  // namespace pindeck::sources
