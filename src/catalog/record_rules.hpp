// SPDX-License-Identifier: Apache-2.0
// The rules a record write keeps on both catalog backends, apart from the SQL that reads what
// they need: a variation's parent, and the range of a counter.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pindeck/record.hpp"

namespace pindeck::catalog {

// What the ancestor walk reads of one stored record: its parentImageId.
struct StoredParent {
  std::optional<std::string> parent_image_id;
};

// The stored record with id `id`, as far as the walk reads it; nullopt when there is none.
using ReadStoredParent = std::function<std::optional<StoredParent>(const std::string& id)>;

// A variation names a stored record as its parent, and no record is its own ancestor:
// Errc::conflict otherwise. Walks up from the parent with `read` (one lookup per ancestor).
void require_parent(const Record& r, const ReadStoredParent& read);

// Errc::invalid naming the counter for an increment beyond ±limits::count.
void check_counter_increment(Counter counter, std::int64_t delta);

// The Errc::invalid error of an increment by `delta` that would take the counter, at `now`, below
// zero or over limits::count.
[[noreturn]] void refuse_counter_change(Counter counter, std::int64_t now, std::int64_t delta);

}  // namespace pindeck::catalog
