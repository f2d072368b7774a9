// SPDX-License-Identifier: Apache-2.0
#include "catalog/record_rules.hpp"

#include <unordered_set>

#include "catalog/record_text.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

void require_parent(const Record& r, const ReadStoredParent& read) {
  if (!r.parent_image_id) return;
  std::optional<std::string> ancestor = r.parent_image_id;
  // Every record was checked when stored, so a walk that does not meet `r` ends at a root; the
  // visited set only guards against a cycle written around these checks (by an older version or
  // a migration).
  std::unordered_set<std::string> visited;
  while (ancestor && visited.insert(*ancestor).second) {
    if (!r.id.empty() && *ancestor == r.id) {
      throw Error(Errc::conflict, "parentImageId: " + json_quoted(*r.parent_image_id) +
                                      " would make the record its own ancestor");
    }
    auto stored = read(*ancestor);
    if (!stored) {
      if (ancestor == r.parent_image_id) {
        throw Error(Errc::conflict,
                    "parentImageId: no record with id " + json_quoted(*r.parent_image_id));
      }
      return;
    }
    ancestor = std::move(stored->parent_image_id);
  }
}

void check_counter_increment(Counter counter, std::int64_t delta) {
  if (delta < -limits::count || delta > limits::count) {
    throw Error(Errc::invalid,
                std::string(model::to_string(counter)) + ": an increment must be between -" +
                    std::to_string(limits::count) + " and " + std::to_string(limits::count) +
                    " (got " + std::to_string(delta) + ")");
  }
}

void refuse_counter_change(Counter counter, std::int64_t now, std::int64_t delta) {
  std::string problem(model::to_string(counter));
  problem += ": ";
  problem += std::to_string(now);
  problem += delta < 0 ? " - " : " + ";
  problem += std::to_string(delta < 0 ? -delta : delta);
  problem += " would be ";
  problem += delta < 0 ? "negative" : "over the limit of ";
  if (delta >= 0) problem += std::to_string(limits::count);
  problem += "; the count stays ";
  problem += std::to_string(now);
  throw Error(Errc::invalid, problem);
}

}  // namespace pindeck::catalog
