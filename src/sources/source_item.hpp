// SPDX-License-Identifier: Apache-2.0
// What a source (DESIGN §7) hands to ingest: where the image is, and the record it becomes.
#pragma once

#include <string>

#include "pindeck/record.hpp"

namespace pindeck::sources {

struct SourceItem {
  std::string image_url;  // fetched through the safe fetcher
  Record metadata;        // the record's fields; ingest adds what it learns from the bytes
};

}  // namespace pindeck::sources
