// SPDX-License-Identifier: Apache-2.0
// Catalog::watch_settled on PostgreSQL: a connection of its own LISTENs on the channel the job
// queue NOTIFYs when a persist job ends (job_queue.cpp), so a wait on one host is woken by the
// commit of a worker on another, without polling across hosts.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace pindeck::catalog::postgres {

class Connection;

// The channel a job's end is announced on; the payload is the record's id.
inline constexpr std::string_view settled_channel = "pindeck_settled";

// Sends the notice that the record's job ended; delivered when the caller's transaction commits,
// and not at all if it rolls back.
void announce_settled(Connection& db, std::string_view record_id);

// Connects at once (the errors of Connection::open). A dropped connection is re-established in
// the background; notices sent while it was down are lost, which the engine's slow poll covers.
std::unique_ptr<SettledWatch> watch_settled(const std::string& url,
                                            std::function<void(std::string_view)> settled);

}  // namespace pindeck::catalog::postgres
