// SPDX-License-Identifier: Apache-2.0
// The delete_jobs table, applied by the catalog's migration list. One row per deleted record that
// left objects or a staged copy to remove. No foreign key: the record is gone by the time its row
// exists. `provider` and `bucket` name the store the objects went to, or are NULL when the record
// was not durable yet (its objects, if a persist attempt wrote any, are in the store of whichever
// engine runs the job). `next_attempt_at` is also how a deletion waits for a persist job that
// still held its lease when the record was deleted.
#pragma once

#include <string_view>

namespace pindeck::catalog {

inline constexpr std::string_view delete_jobs_schema = R"sql(
CREATE TABLE delete_jobs (
  id               INTEGER PRIMARY KEY,
  record_id        TEXT NOT NULL,
  provider         TEXT,
  bucket           TEXT,
  object_keys      TEXT NOT NULL CHECK (json_valid(object_keys)),
  staged_id        TEXT,
  next_attempt_at  INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX delete_jobs_due ON delete_jobs (next_attempt_at);
CREATE INDEX delete_jobs_by_record ON delete_jobs (record_id);
)sql";

}  // namespace pindeck::catalog
