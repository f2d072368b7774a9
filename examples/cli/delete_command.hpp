// SPDX-License-Identifier: Apache-2.0
// `pindeck delete`: deletes records and what they left in the stores (DESIGN §6.8), by id or by
// filter, with a dry run that lists what would go.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "pindeck/client.hpp"

namespace pindeck_cli {

// Prints what a deletion did (or, for a dry run, would do): one line per record, then a summary;
// or with `json`, {"dryRun", "deleted": [{"id", "title", "objectKeys"}], "cleanupPending"}.
void print_delete_report(std::ostream& out, const pindeck::DeleteReport& report, bool dry_run,
                         bool json);

}  // namespace pindeck_cli
