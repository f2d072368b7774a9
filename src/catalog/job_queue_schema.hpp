// SPDX-License-Identifier: Apache-2.0
// The persist_jobs table, applied by the catalog's migration list. One row per record that still
// has to reach the object store (state 'queued') or that gave up (state 'failed', kept until a
// backfill requeues it). Deleting a record deletes its job. persist_jobs_backfill_schema (v4) adds
// what backfill orders by: how a failed job failed, and when a backfill last requeued it.
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

// v4. `failure` ('transient', 'permanent', 'configuration'; NULL while queued) is how a failed job
// ended; `backfilled_at` (ms since the epoch) when a backfill last requeued it. Jobs that failed
// before v4 are classified from the suffix their message got then.
inline constexpr std::string_view persist_jobs_backfill_schema = R"sql(
ALTER TABLE persist_jobs ADD COLUMN failure TEXT
  CHECK (failure IN ('transient', 'permanent', 'configuration'));
ALTER TABLE persist_jobs ADD COLUMN backfilled_at INTEGER;
UPDATE persist_jobs
SET failure = CASE WHEN last_error LIKE '%(not retried: the error is permanent)' THEN 'permanent'
                   ELSE 'transient' END
WHERE state = 'failed';
)sql";

// v9. `staged_at` names the first-stage store that holds the record's bytes (staging::Store::
// site()): with a catalog that several hosts share, only that store's workers may claim the job.
// NULL (every job queued before v9, whose bytes are in the one data directory there was) lets any
// worker claim it.
inline constexpr std::string_view persist_jobs_site_schema = R"sql(
ALTER TABLE persist_jobs ADD COLUMN staged_at TEXT;
)sql";

}  // namespace pindeck::catalog
