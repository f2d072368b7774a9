// SPDX-License-Identifier: Apache-2.0
#include "verify_command.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "progress_bar.hpp"

namespace pindeck_cli {

bool run_verify(std::ostream& out, pindeck::Client& client, pindeck::VerifyOptions options,
                bool json) {
  std::optional<ProgressBar> shown;
  options.progress = [&](const pindeck::VerifyProgress& p) {
    if (!shown) shown.emplace("verify", p.records_total);
    shown->update(p.records_done, std::to_string(p.objects_checked) + " objects");
    return true;
  };
  const auto report = client.verify(options);
  if (shown) shown->finish();

  const bool settled =
      std::all_of(report.findings.begin(), report.findings.end(),
                  [](const auto& f) { return f.repair == pindeck::RepairOutcome::repaired; }) &&
      std::all_of(report.orphans.begin(), report.orphans.end(),
                  [](const auto& o) { return o.deleted; });
  if (json) {
    out << nlohmann::json::parse(pindeck::verify_report_to_json(report)).dump(2) << '\n';
    return settled;
  }
  for (const auto& f : report.findings) {
    out << pindeck::to_string(f.problem) << "  " << f.record_id << "  "
        << pindeck::to_string(f.role) << "  " << f.key << "  (" << f.detail << ")";
    if (f.repair != pindeck::RepairOutcome::not_attempted) {
      out << "  " << pindeck::to_string(f.repair);
      if (!f.repair_error.empty()) out << ": " << f.repair_error;
    }
    out << '\n';
  }
  for (const auto& o : report.orphans) {
    out << "orphan  " << o.key << (o.deleted ? "  deleted" : "") << '\n';
  }
  out << report.records_checked << " records, " << report.objects_checked << " objects checked; "
      << report.findings.size() << " problems, " << report.orphans.size() << " orphans";
  if (!report.orphans_checked) out << " (not looked for: a filter was given)";
  if (report.records_not_persisted > 0) {
    out << "; " << report.records_not_persisted << " records not persisted yet";
  }
  if (report.records_other_store > 0) {
    out << "; " << report.records_other_store << " records in another store";
  }
  if (report.resumed) out << "; continued an interrupted run";
  out << '\n';
  return settled;
}

}  // namespace pindeck_cli
