// SPDX-License-Identifier: Apache-2.0
#include "pipeline/palette_resample.hpp"

#include <nlohmann/json.hpp>

#include "media/derivatives.hpp"
#include "media/palette.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"
#include "staging/mapped_file.hpp"

namespace pindeck::pipeline {

namespace {

// Sampled as a persist job samples it (persist_job.cpp), so the same bytes give the same palette.
std::vector<std::string> palette_of(std::span<const std::byte> bytes) {
  const media::PixelSample sample = media::palette_sample(bytes);
  return media::palette_from_pixels(
      std::span<const std::uint8_t>(sample.pixels.data(), sample.pixels.size()),
      static_cast<std::size_t>(sample.width), static_cast<std::size_t>(sample.height),
      sample.channels);
}

}  // namespace

Record resample_palette(catalog::Catalog& catalog, staging::Store& staging, ObjectStore& store,
                        std::string_view id) {
  const Record record = catalog.get(id);
  std::vector<std::string> colours;
  if (record.storage_id && staging.contains(*record.storage_id)) {
    const staging::MappedFile staged(staging.path_of(*record.storage_id));
    colours = palette_of(staged.bytes());
  } else if (record.storage_path && record.storage_provider == store.provider() &&
             record.storage_bucket == store.bucket()) {
    const auto original = store.read(*record.storage_path);
    if (!original) {
      throw Error(Errc::not_found, "original " + *record.storage_path + " of record " +
                                       nlohmann::json(record.id).dump() + " is not in bucket " +
                                       store.bucket());
    }
    colours = palette_of(*original);
  } else {
    std::string where = record.storage_provider
                            ? std::string(model::to_string(*record.storage_provider))
                            : std::string("no store");
    if (record.storage_bucket) where += " bucket " + *record.storage_bucket;
    throw Error(Errc::not_found,
                "record " + nlohmann::json(record.id).dump() +
                    " has no staged copy here and its original is not in this client's store (" +
                    std::string(model::to_string(store.provider())) + " bucket " + store.bucket() +
                    "; the record names " + where + ")");
  }
  return catalog.update(id, {{"colors", colours}});
}

}  // namespace pindeck::pipeline
