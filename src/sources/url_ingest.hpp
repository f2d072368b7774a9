// SPDX-License-Identifier: Apache-2.0
// The one durable path every fetched source takes (DESIGN §7): the image is fetched through the
// safe fetcher straight into the first-stage store, checked to be an image, and recorded with its
// persist job in one transaction, as an upload is (DESIGN §6).
#pragma once

#include <string_view>

#include "catalog/catalog.hpp"
#include "pindeck/query.hpp"
#include "pipeline/persistence.hpp"
#include "sources/fetcher.hpp"
#include "sources/source_item.hpp"

namespace pindeck::sources {

// Ingests `item`. A record whose externalId (or generationArtifactKey) is already stored is
// returned with created=false and nothing is fetched. The tag `original` is added to a record
// without a parent, as Pindeck does for every new external record. Errors: those of fetch()
// (nothing is staged then); Errc::media when the bytes are no image; Errc::invalid naming a
// metadata field the record rules refuse. Nothing is kept after a failure.
CreateResult ingest_item(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                         SourceItem item, const FetchOptions& options);

// Ingests the image at a URL a person gave. The URL is cleaned as Pindeck does
// (normalise_source_url) and becomes the record's sourceUrl unless `metadata` has one; a record
// with the same externalId, else with the same sourceUrl, is returned (created=false) instead of
// fetching again. Errc::invalid for a URL that is empty once cleaned; otherwise ingest_item's.
CreateResult ingest_url(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                        std::string_view url, Record metadata, const FetchOptions& options);

}  // namespace pindeck::sources
