// SPDX-License-Identifier: Apache-2.0
// The soak's invariants between what the host was told, the catalog and the bucket:
//   - no record lost: every upload the soak made and did not remove is in the catalog, every
//     record it removed is gone, and the catalog holds no record the host was never told about;
//   - every `succeeded` record's five objects (original, preview, three WebP) are in the bucket;
//   - no object under the run's key prefix without a record, unless a queued delete job names it
//     (its removal is durable and retries with backoff while the store is failing). An object
//     neither names is forgiven once (a persist job may have uploaded it after its record was
//     deleted and not yet queued its removal): it fails the check when it is still there at the
//     next check. The final check (after the faults end, the pipeline drained and
//     Client::finish_cleanup ran) forgives nothing: no object without a record, no delete job left;
//   - final check only: every record is `succeeded` (the faults are over, so nothing may stay
//     pending or failed).
// The catalog is read before the bucket is listed, with the soak's own operations paused: workers
// only add objects of records already in the catalog, so the two snapshots agree.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "pindeck/client.hpp"
#include "s3/client.hpp"

namespace pindeck::soak {

// The object keys a record names (those it has).
std::vector<std::string> object_keys(const Record& record);

struct CheckReport {
  int records = 0;
  int succeeded = 0;
  int pending = 0;
  int failed = 0;
  int objects = 0;
  int orphans_seen = 0;               // objects without a record, forgiven or not
  int removals_queued = 0;            // of those, named by a queued delete job
  std::vector<std::string> failures;  // one line per broken invariant (capped per kind)
};

class InvariantChecker {
 public:
  // `direct` reaches the bucket without the fault proxy; `prefix` is the run's key prefix.
  InvariantChecker(const Client& client, s3::Client& direct, std::string prefix);

  // `live`: ids the soak uploaded and did not remove; `removed`: ids it removed since the last
  // check (they must be gone). `final` makes the check strict (see above).
  CheckReport check(const std::set<std::string>& live, const std::set<std::string>& removed,
                    bool final);

 private:
  const Client& client_;
  s3::Client& direct_;
  std::string prefix_;
  std::set<std::string> previous_orphans_;
};

}  // namespace pindeck::soak
