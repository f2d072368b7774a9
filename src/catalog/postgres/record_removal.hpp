// SPDX-License-Identifier: Apache-2.0
// Deleting records from the PostgreSQL catalog (DESIGN §6.8): the twin of ../record_removal.hpp,
// with the same rules and errors, all in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog::postgres {

class Connection;

std::vector<Record> records_to_remove(Connection& db, const std::vector<std::string>& ids,
                                      bool family);
std::vector<std::string> ids_matching(Connection& db, RecordQuery filter);
std::vector<RemovedRecord> remove_records_queueing_cleanup(Connection& db,
                                                           const std::vector<Record>& records,
                                                           std::int64_t now);
std::set<std::string> object_keys_in_use(Connection& db, const std::vector<std::string>& keys);
std::set<std::string> staged_ids_in_use(Connection& db, const std::vector<std::string>& staged_ids);
void queue_delete_job(Connection& db, const Record& record, const std::vector<std::string>& keys,
                      const std::optional<std::string>& staged_id, std::int64_t due_at,
                      std::int64_t now);

}  // namespace pindeck::catalog::postgres
