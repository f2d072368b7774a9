// SPDX-License-Identifier: Apache-2.0
// migrate_catalog (pindeck/migrate.hpp): pages of records and of queued deletions read from one
// catalog and stored in the other through the Catalog interface, whatever the two backends.
#include "pindeck/migrate.hpp"

#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/record_text.hpp"
#include "pindeck/error.hpp"

namespace pindeck {

namespace {

constexpr int max_batch = 10'000;

std::unique_ptr<catalog::Catalog> open_location(std::string_view role, std::string_view location) {
  try {
    return catalog::open_catalog_at(location);
  } catch (const Error& e) {
    throw Error(e.code(), std::string(role) + ": " + e.what());
  }
}

// Opening a SQLite location creates the file: a source that is not there is refused instead of
// being copied as an empty catalog.
void require_existing_source(std::string_view from) {
  const auto file = catalog::sqlite_location_file(from);
  std::error_code ec;
  if (file && !file->empty() && !std::filesystem::exists(*file, ec)) {
    throw Error(Errc::not_found, "from: there is no catalog at " + std::string(from));
  }
}

void check_locations(std::string_view from, std::string_view to, const MigrateOptions& options) {
  if (options.batch < 1 || options.batch > max_batch) {
    throw Error(Errc::invalid, "batch: must be from 1 to " + std::to_string(max_batch) + ", not " +
                                   std::to_string(options.batch));
  }
  const auto source = catalog::catalog_identity(from);
  if (source && source == catalog::catalog_identity(to)) {
    throw Error(Errc::invalid, "to: names the catalog migrated from (" +
                                   catalog::describe_catalog_location(to) + ")");
  }
  require_existing_source(from);
}

}  // namespace

MigrateReport migrate_catalog(std::string_view from, std::string_view to,
                              const MigrateOptions& options) {
  check_locations(from, to, options);
  const auto source = open_location("from", from);
  const auto destination = open_location("to", to);

  MigrateReport report;
  std::string after_id;
  std::vector<catalog::CatalogEntry> waiting_for_parent;
  for (;;) {
    auto page = source->export_after(after_id, options.batch);
    if (page.empty()) break;
    after_id = page.back().record.id;
    page.insert(page.begin(), std::make_move_iterator(waiting_for_parent.begin()),
                std::make_move_iterator(waiting_for_parent.end()));
    auto stored = destination->import_entries(page);
    waiting_for_parent = std::move(stored.waiting_for_parent);
    report.records_copied += stored.records;
    report.records_skipped +=
        static_cast<std::int64_t>(page.size() - waiting_for_parent.size()) - stored.records;
    report.jobs_copied += stored.persist_jobs;
    if (options.progress) options.progress(report.records_copied);
  }
  if (!waiting_for_parent.empty()) {
    const auto& orphan = waiting_for_parent.front().record;
    throw Error(Errc::not_found, "record " + catalog::json_quoted(orphan.id) + ": its parent " +
                                     catalog::json_quoted(orphan.parent_image_id.value_or("")) +
                                     " was not found in " +
                                     catalog::describe_catalog_location(from) +
                                     " (deleted while it was copied?)");
  }
  std::int64_t after_position = 0;
  for (;;) {
    const auto jobs = source->export_delete_jobs_after(after_position, options.batch);
    if (jobs.empty()) break;
    report.delete_jobs_copied += destination->import_delete_jobs(jobs);
    after_position = jobs.back().position;
  }
  return report;
}

}  // namespace pindeck
