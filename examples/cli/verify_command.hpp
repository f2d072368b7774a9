// SPDX-License-Identifier: Apache-2.0
// `pindeck verify`: checks the objects of persisted records and looks for orphans (DESIGN §6.9),
// repairing and deleting orphans when asked, with a progress bar on a terminal.
#pragma once

#include <iosfwd>

#include "pindeck/client.hpp"

namespace pindeck_cli {

// Runs the verify with a progress bar on stderr (only when it is a terminal), prints the report
// (a line per finding and orphan, then a summary; with `json`, the report's JSON) and returns
// whether everything is as the records say once it is done (repaired findings and deleted
// orphans count as done).
bool run_verify(std::ostream& out, pindeck::Client& client, pindeck::VerifyOptions options,
                bool json);

}  // namespace pindeck_cli
