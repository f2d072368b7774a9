// SPDX-License-Identifier: Apache-2.0
// `pindeck sheet`: a contact sheet of a filtered listing as one self-contained HTML file. Each
// record shows its w320 derivative (embedded as a data: URI read through the library, or linked
// by its URL), title, tags, palette swatches and status; a record without the derivative shows a
// placeholder saying why. Every text is HTML-escaped, and nothing is loaded from elsewhere (no
// external CSS, script or font), so the file opens in any browser without a network.
#pragma once

#include <filesystem>
#include <iosfwd>

#include "pindeck/client.hpp"

namespace pindeck_cli {

struct SheetOptions {
  std::filesystem::path out;
  int limit = 200;    // records in all, over as many pages as that takes
  bool link = false;  // <img src> is the record's w320 URL instead of the embedded bytes
};

// Writes the sheet of the records `query` lists (its limit and cursor are replaced) to
// options.out atomically (a temporary file beside it, renamed over it once complete). A record
// whose derivative cannot be read gets a placeholder and a warning on `warnings`. Returns how
// many records the sheet shows.
std::size_t write_sheet(pindeck::Client& client, pindeck::RecordQuery query,
                        const SheetOptions& options, std::ostream& warnings);

}  // namespace pindeck_cli
