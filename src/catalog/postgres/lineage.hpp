// SPDX-License-Identifier: Apache-2.0
// A record's lineage and the order of a project row in the PostgreSQL catalog: the twin of
// ../lineage.hpp, with the same results, limits and errors.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/query.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog::postgres {

class Connection;

std::optional<Record> parent_of(Connection& db, std::string_view id);
RecordPage children_of(Connection& db, std::string_view id, const RecordQuery& query);
Record root_of(Connection& db, std::string_view id);
Family family_of(Connection& db, std::string_view id);
// Must run inside a Transaction.
std::size_t set_project_order(Connection& db, std::string_view project_name,
                              const std::vector<std::string>& ids);

}  // namespace pindeck::catalog::postgres
