// SPDX-License-Identifier: Apache-2.0
// The checks and errors of lineage lookups and of ordering a project row (lineage.hpp) that both
// catalog backends share; each backend reads and writes the records.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/record_text.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog {

// Errc::invalid for a children query asking for originals only (children never are).
void check_children_query(const RecordQuery& query);

// The Errc::conflict error of root_of for record `id` whose root is more than max_lineage_depth
// links up; `last_id` is its ancestor max_lineage_depth links up, named so a host can go on from
// it.
[[noreturn]] void refuse_root_out_of_reach(std::string_view id, std::string_view last_id,
                                           QuoteId quote);

// Checks a request to order a project row: Errc::invalid for a bad project name, no ids, too many
// or an id named more than once (naming them). Returns the ids named.
std::set<std::string_view> check_project_order(std::string_view project_name,
                                               const std::vector<std::string>& ids, QuoteId quote);

// Errc::not_found naming the `unknown` ids, else Errc::invalid naming the ids found `elsewhere`
// than in the project; nothing when both are empty.
void require_in_project(std::string_view project_name, const std::vector<std::string>& unknown,
                        const std::vector<std::string>& elsewhere, QuoteId quote);

// Sets the projectOrder of each record of `row` to its index, storing each one that changes with
// `store`. Returns how many changed.
std::size_t number_project_row(std::vector<Record>& row,
                               const std::function<void(const Record&)>& store);

// Adds `record` to a family being read, unless it holds max_family_records already: then the
// family is marked incomplete and false returned (read no further).
bool add_to_family(Family& family, Record record);

}  // namespace pindeck::catalog
