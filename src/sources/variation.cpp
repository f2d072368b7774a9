// SPDX-License-Identifier: Apache-2.0
#include "sources/variation.hpp"

#include <optional>
#include <string>
#include <utility>

#include "sources/source_item.hpp"
#include "sources/url_ingest.hpp"

namespace pindeck::sources {

namespace {

bool is_moderated(const std::optional<SourceType>& type) {
  return type == SourceType::discord || type == SourceType::pinterest;
}

template <typename T>
void inherit(std::optional<T>& field, const std::optional<T>& from) {
  if (!field) field = from;
}

}  // namespace

Record variation_record(catalog::Catalog& catalog, std::string_view parent_id, Record given) {
  const Record parent = catalog.get(parent_id);

  // One walk up serves both rules: the moderated source within source_lineage_depth records, and
  // the root (as far as Pindeck looks for one) for sref and sourceUrl.
  std::optional<SourceType> moderated;
  Record top = parent;
  for (int depth = 0; depth < source_lineage_depth; ++depth) {
    if (!moderated && is_moderated(top.source_type)) moderated = top.source_type;
    if (!top.parent_image_id) break;
    auto up = catalog.find(*top.parent_image_id);
    if (!up) break;
    top = std::move(*up);
  }

  Record r = std::move(given);
  r.parent_image_id = parent.id;
  r.title = parent.title;
  r.category = parent.category;
  r.group = parent.group;
  r.project_name = parent.project_name;
  r.moodboard_name = parent.moodboard_name;
  r.unique_id = parent.unique_id;
  if (parent.description) r.description = parent.description;
  r.tags = parent.tags;
  r.tags.emplace_back("generated");
  r.tags.emplace_back("variation");
  inherit(r.sref, parent.sref);
  inherit(r.sref, top.sref);
  inherit(r.source_url, parent.source_url);
  inherit(r.source_url, top.source_url);
  r.source = "AI Generation";
  r.source_type = moderated.value_or(SourceType::ai);
  r.status = moderated ? RecordStatus::pending : RecordStatus::active;
  return r;
}

CreateResult register_variation(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                                std::string_view parent_id, const VariationImage& image,
                                Record given, const FetchOptions& options) {
  if (given.generation_artifact_key) {
    if (auto stored = catalog.find_by(catalog::RecordKey::generation_artifact_key,
                                      *given.generation_artifact_key)) {
      return {std::move(*stored), false};
    }
  }
  Record record = variation_record(catalog, parent_id, std::move(given));
  if (!image.url.empty()) {
    return ingest_item(persistence, catalog, SourceItem{image.url, std::move(record)}, options);
  }
  return persistence.ingest_once(image.upload, std::move(record));
}

}  // namespace pindeck::sources
