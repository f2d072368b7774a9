// SPDX-License-Identifier: Apache-2.0
// How a persist job's failure kind is stored in the catalog, on every backend: its name as text.
#pragma once

#include <string_view>

#include "catalog/persist_jobs.hpp"

namespace pindeck::catalog {

std::string_view failure_kind_text(FailureKind kind);

// Errc::database for a text that names no failure kind (a catalog written by a newer version).
FailureKind failure_kind_from_text(std::string_view text);

}  // namespace pindeck::catalog
