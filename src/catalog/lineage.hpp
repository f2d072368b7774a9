// SPDX-License-Identifier: Apache-2.0
// A record's lineage (DESIGN §8), followed through parentImageId: its parent, its children, its
// root and its whole family; and the order of a project row. Read functions need no transaction;
// set_project_order must run inside one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/sqlite.hpp"
#include "pindeck/query.hpp"

namespace pindeck::catalog {

// The record's parent; nullopt for an original. Errc::not_found naming an unknown id.
std::optional<Record> parent_of(Database& db, std::string_view id);

// One page of the record's children with the filters, order, limit and cursor of `query`, as
// list_records pages. Errc::not_found naming an unknown id; Errc::invalid for originalsOnly
// (children are never originals).
RecordPage children_of(Database& db, std::string_view id, const RecordQuery& query);

// The record's topmost ancestor (itself for an original), at most max_lineage_depth links up.
// Errc::conflict naming the record, the limit and its max_lineage_depth-th ancestor when the
// root is further up; Errc::not_found naming an unknown id.
Record root_of(Database& db, std::string_view id);

// The root of the record and every descendant of the root (see pindeck::Family). The errors of
// root_of.
Family family_of(Database& db, std::string_view id);

// Sets projectOrder of the records named to their index in `ids` (0-based); the project's other
// records follow them in their current row order, renumbered from ids.size(). Returns how many
// records' projectOrder changed. Errc::invalid for a bad project name, no ids, too many, an id
// named twice or records of another project (naming them); Errc::not_found naming unknown ids.
std::size_t set_project_order(Database& db, std::string_view project_name,
                              const std::vector<std::string>& ids);

}  // namespace pindeck::catalog
