// SPDX-License-Identifier: Apache-2.0
#include "delete_command.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace pindeck_cli {

void print_delete_report(std::ostream& out, const pindeck::DeleteReport& report, bool dry_run,
                         bool json) {
  std::size_t objects = 0;
  for (const auto& entry : report.records) objects += entry.object_keys.size();
  if (json) {
    nlohmann::json deleted = nlohmann::json::array();
    for (const auto& entry : report.records) {
      deleted.push_back({{"id", entry.record.id},
                         {"title", entry.record.title},
                         {"objectKeys", entry.object_keys}});
    }
    out << nlohmann::json{{"dryRun", dry_run},
                          {"deleted", deleted},
                          {"cleanupPending", report.cleanup_pending}}
               .dump(2)
        << '\n';
    return;
  }
  const char* verb = dry_run ? "would delete" : "deleted";
  for (const auto& entry : report.records) {
    out << verb << "  " << entry.record.id << "  " << entry.record.title << "  ("
        << entry.object_keys.size() << " objects)\n";
  }
  out << (dry_run ? "would delete " : "deleted ") << report.records.size() << " record(s) and "
      << objects << " object(s)";
  if (report.cleanup_pending > 0) {
    out << "; the objects of " << report.cleanup_pending
        << " record(s) are still queued for removal (their store is unreachable or a persist "
           "job is still uploading; the next pindeck command or worker finishes them)";
  }
  out << '\n';
}

}  // namespace pindeck_cli
