// SPDX-License-Identifier: Apache-2.0
// Moderation (DESIGN §7): records from Discord, Pinterest and their variations arrive `pending`; a
// person approves them (or rejects them: the client deletes those, see Client::reject).
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "pindeck/record.hpp"

namespace pindeck::sources {

// Approves the records named, in one transaction: an active record stays as it is; any other
// becomes `draft` when it came from Discord or Pinterest (sourceType; a person finishes it there,
// as in Pindeck) and `active` otherwise. Returns them as stored, in the order given. All or
// nothing: Errc::invalid for no ids, Errc::not_found naming a missing id.
std::vector<Record> approve(catalog::Catalog& catalog, const std::vector<std::string>& ids);

}  // namespace pindeck::sources
