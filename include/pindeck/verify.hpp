// SPDX-License-Identifier: Apache-2.0
// Verify and repair (DESIGN §6.9): whether every object a persisted record names is in the object
// store, whole and of the recorded type, which objects under the key prefix no record names, and
// putting right what can be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pindeck/export.h"
#include "pindeck/query.hpp"

namespace pindeck {

// Which of a record's five objects (DESIGN §3, §4).
enum class ObjectRole { original, preview, small, medium, large };

enum class ObjectProblem {
  missing,  // the store has no object under the key
  // Not whole: the original's size differs from the record's byteSize; a derivative does not
  // decode to its end (sniffed format, its end structure, its header) or is not as wide as it
  // should be (its target width, or the original's when that is narrower).
  truncated,
  wrong_content_type,  // the stored content type is not the recorded (or the key's) one
};

enum class RepairOutcome {
  not_attempted,  // repair was not asked for
  repaired,       // rebuilt (or re-uploaded) under the same key
  unrepairable,   // an original whose staged copy is gone, or a derivative whose original is
  failed,         // the repair was tried and failed; `repair_error` says why
};

// One object of a record that is not as the record says.
struct VerifyFinding {
  std::string record_id;
  ObjectRole role = ObjectRole::original;
  std::string key;
  ObjectProblem problem = ObjectProblem::missing;
  std::string detail;  // what was seen, e.g. "2048 bytes, the record says 4096"
  RepairOutcome repair = RepairOutcome::not_attempted;
  std::string repair_error;
};

// An object under the store's key prefix that no record names and no queued deletion will remove.
struct VerifyOrphan {
  std::string key;
  bool deleted = false;  // with VerifyOptions::delete_orphans
};

struct VerifyProgress {
  std::size_t records_done = 0;  // of the records the filter matches, this run and resumed
  std::size_t records_total = 0;
  std::size_t objects_checked = 0;
};

struct VerifyOptions {
  // Which records (the list filters; order, limit and cursor are ignored). Without a condition
  // every record is verified and the store is also searched for orphans.
  RecordQuery filter;
  bool repair = false;          // rebuild what is missing or damaged (see RepairOutcome)
  bool delete_orphans = false;  // delete the orphans found (only when the filter has no condition)
  int max_in_flight = 16;       // store requests at once, 1 to 64
  // Starts from the first record even when an earlier run with the same filter and flags was
  // interrupted (its saved position is dropped).
  bool restart = false;
  // Called after each batch of records (on the calling thread); returning false stops the run
  // there, keeping its position for the next run.
  std::function<bool(const VerifyProgress&)> progress;
};

struct VerifyReport {
  bool complete = false;            // false when `progress` stopped it (the position is kept)
  bool resumed = false;             // it continued an interrupted run (whose findings are included)
  std::size_t records_checked = 0;  // persisted records whose objects were checked
  std::size_t records_not_persisted = 0;  // matched but not `succeeded`: nothing to check yet
  std::size_t records_other_store = 0;    // persisted to a store other than the settings name
  std::size_t objects_checked = 0;
  std::vector<VerifyFinding> findings;
  bool orphans_checked = false;  // only a run without a filter condition looks for orphans
  std::vector<VerifyOrphan> orphans;
};

// "original", "preview", "small", "medium", "large"; "missing", "truncated", "wrongContentType";
// "notAttempted", "repaired", "unrepairable", "failed" (as in the JSON report).
PD_EXPORT const char* to_string(ObjectRole role);
PD_EXPORT const char* to_string(ObjectProblem problem);
PD_EXPORT const char* to_string(RepairOutcome outcome);

// The report as JSON: {"complete", "resumed", "recordsChecked", "recordsNotPersisted",
// "recordsOtherStore", "objectsChecked", "findings": [{"recordId", "role", "key", "problem",
// "detail", "repair", "repairError" (when set)}], "orphansChecked", "orphans": [{"key",
// "deleted"}]}.
PD_EXPORT std::string verify_report_to_json(const VerifyReport& report);

}  // namespace pindeck
