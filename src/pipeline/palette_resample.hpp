// SPDX-License-Identifier: Apache-2.0
// Sampling a stored record's palette again (DESIGN §5, §8), from its staged copy or from its
// original in the object store, for records whose palette is missing or was sampled by an older
// version.
#pragma once

#include <string_view>

#include "catalog/catalog.hpp"
#include "pindeck/record.hpp"
#include "pipeline/object_store.hpp"
#include "staging/store.hpp"

namespace pindeck::pipeline {

// Samples the palette of the record's image and stores it as the record's `colors` (with the
// catalog's colour rows); returns the record as stored. The staged copy is read when there is one,
// else the original (storagePath) from `store` when the record is persisted there (same provider
// and bucket). Errc::not_found naming the id when there is no such record, or naming what is
// missing when neither copy can be read here; Errc::media when the bytes are not an image.
Record resample_palette(catalog::Catalog& catalog, staging::Store& staging, ObjectStore& store,
                        std::string_view id);

}  // namespace pindeck::pipeline
