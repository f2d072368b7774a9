// SPDX-License-Identifier: Apache-2.0
// Copying a whole catalog from one location to another (`pindeck migrate`; DESIGN §6, scale-out):
// SQLite to PostgreSQL when a library outgrows one host, and back. Records keep every field as
// stored (ids, times, counters, tags, palette, lineage, project order); persist jobs keep their
// state (a claimed job is queued again, its lease dropped); queued deletions come along.
//
// Idempotent and resumable: records already at the destination (by id) are skipped, so a second
// run copies nothing, and a run stopped half-way finishes when run again. Every batch is one
// transaction at the destination.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "pindeck/export.h"

namespace pindeck {

struct MigrateOptions {
  int batch = 500;  // records read and stored per transaction, from 1 to 10,000
  // Called after each batch with how many records this run has copied so far; what it throws
  // stops the copy (the batches stored stay) and comes out of migrate_catalog.
  std::function<void(std::int64_t copied)> progress;
};

struct MigrateReport {
  std::int64_t records_copied = 0;
  std::int64_t records_skipped = 0;  // at the destination already
  std::int64_t jobs_copied = 0;      // persist jobs, with the records copied
  std::int64_t delete_jobs_copied = 0;
};

// Copies the catalog at `from` into the one at `to`, locations as OpenOptions::catalog names them
// (sqlite:<path>, postgresql://...). The destination is created when missing; the source must
// exist (Errc::not_found naming it). Errc::invalid when the two name the same catalog; the location
// errors of Client::open, saying whether `from` or `to` is wrong (never echoing a password); then
// the errors of reading and storing, naming the record refused.
PD_EXPORT MigrateReport migrate_catalog(std::string_view from, std::string_view to,
                                        const MigrateOptions& options = {});

}  // namespace pindeck
