// SPDX-License-Identifier: Apache-2.0
// Client's deletions (DESIGN §6.8): the catalog deletes the records and queues the removal of what
// they leave in one transaction; the client then carries the removal out (client/cleanup.hpp).
#include <thread>

#include "client/client_impl.hpp"
#include "pindeck/error.hpp"

namespace pindeck {

namespace {

DeleteReport report_of(std::vector<catalog::RemovedRecord> removed) {
  DeleteReport report;
  report.records.reserve(removed.size());
  for (auto& entry : removed) {
    report.records.push_back({std::move(entry.record), std::move(entry.object_keys)});
  }
  return report;
}

std::vector<std::string> ids_of(const DeleteReport& report) {
  std::vector<std::string> ids;
  for (const auto& deleted : report.records) ids.push_back(deleted.record.id);
  return ids;
}

// Carries out the removals just queued; an empty deletion or a dry run queued none.
DeleteReport cleaned_up(client::Cleanup& cleanup, DeleteReport report, bool dry_run) {
  if (!dry_run && !report.records.empty()) report.cleanup_pending = cleanup.run_due(ids_of(report));
  return report;
}

// A filter with no condition lists every record: deleting "everything" is never what a filter
// that forgot its condition meant.
void require_a_filter(const RecordQuery& q) {
  const bool filters = q.category || q.group || q.project_name || q.moodboard_name ||
                       q.source_type || q.status || q.genre || q.style || q.shot || q.ai_status ||
                       q.variation_type || !q.tags.empty() || q.originals_only || q.color;
  if (!filters) {
    throw Error(Errc::invalid,
                "delete filter: name at least one condition (an empty filter matches every "
                "record)");
  }
}

}  // namespace

DeleteReport Client::remove(std::string_view id, const DeleteOptions& options) {
  return remove(std::vector<std::string>{std::string(id)}, options);
}

DeleteReport Client::remove(const std::vector<std::string>& ids, const DeleteOptions& options) {
  return cleaned_up(impl_->cleanup,
                    report_of(impl_->catalog->remove_records(ids, options.family, options.dry_run)),
                    options.dry_run);
}

DeleteReport Client::remove_where(const RecordQuery& filter, const DeleteOptions& options) {
  require_a_filter(filter);
  return cleaned_up(
      impl_->cleanup,
      report_of(impl_->catalog->remove_matching(filter, options.family, options.dry_run)),
      options.dry_run);
}

std::size_t Client::finish_cleanup(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::size_t left = impl_->cleanup.run_due({});
    if (left == 0 || std::chrono::steady_clock::now() >= deadline) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace pindeck
