// SPDX-License-Identifier: Apache-2.0
// The persist_jobs table, applied by the catalog's migration list. One row per record that still
// has to reach the object store (state 'queued') or that gave up (state 'failed', kept until a
// backfill requeues it). Deleting a record deletes its job.
#pragma once

#include <string_view>

namespace pindeck::catalog {

inline constexpr std::string_view persist_jobs_schema = R"sql(
CREATE TABLE persist_jobs (
  record_id        TEXT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX persist_jobs_due ON persist_jobs (state, next_attempt_at);
)sql";

}  // namespace pindeck::catalog
