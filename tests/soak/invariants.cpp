// SPDX-License-Identifier: Apache-2.0
#include "invariants.hpp"

#include <chrono>
#include <utility>

#include "catalog/catalog.hpp"
#include "util/env.hpp"

namespace pindeck::soak {

namespace {

// Collects failure lines, at most `cap` per kind.
class FailureList {
 public:
  explicit FailureList(std::vector<std::string>& out) : out_(out) {}
  void add(const std::string& kind, const std::string& detail) {
    auto& n = counts_[kind];
    if (++n <= cap) out_.push_back(kind + ": " + detail);
  }
  // Adds the "and N more" lines.
  void finish() {
    for (const auto& [kind, n] : counts_) {
      if (n > cap) out_.push_back(kind + ": ... and " + std::to_string(n - cap) + " more");
    }
  }

 private:
  static constexpr int cap = 5;
  std::vector<std::string>& out_;
  std::map<std::string, int> counts_;
};

std::map<std::string, Record> all_records(const Client& client) {
  std::map<std::string, Record> records;
  RecordQuery query;
  query.limit = 1000;
  for (;;) {
    auto page = client.list(query);
    for (auto& record : page.records) records.emplace(record.id, std::move(record));
    if (!page.next_cursor) break;
    query.cursor = page.next_cursor;
  }
  return records;
}

// The object keys the catalog's queued delete jobs will remove, read from the catalog the Client
// opened (as Client::open chooses it: PINDECK_CATALOG_URL, else the data directory's file), as
// the library's public API does not list its jobs.
std::set<std::string> keys_queued_for_removal(const std::filesystem::path& data_dir) {
  const auto location = util::env("PINDECK_CATALOG_URL");
  auto catalog = location ? catalog::open_catalog_at(*location)
                          : catalog::open_catalog(data_dir / "catalog.sqlite");
  const auto keys =
      catalog->delete_jobs("soak-invariants", std::chrono::seconds(1))->queued_object_keys();
  return {keys.begin(), keys.end()};
}

}  // namespace

std::vector<std::string> object_keys(const Record& record) {
  std::vector<std::string> keys;
  if (record.storage_path) keys.push_back(*record.storage_path);
  if (record.preview_storage_path) keys.push_back(*record.preview_storage_path);
  if (const auto& d = record.derivative_storage_paths) {
    for (const auto& key : {d->small, d->medium, d->large}) {
      if (key) keys.push_back(*key);
    }
  }
  return keys;
}

InvariantChecker::InvariantChecker(const Client& client, s3::Client& direct, std::string prefix)
    : client_(client), direct_(direct), prefix_(std::move(prefix)) {}

CheckReport InvariantChecker::check(const std::set<std::string>& live,
                                    const std::set<std::string>& removed, bool final) {
  CheckReport report;
  FailureList failures(report.failures);

  const auto records = all_records(client_);
  const auto queued = keys_queued_for_removal(client_.data_dir());
  s3::ListOptions options;
  options.prefix = prefix_ + "/";
  std::set<std::string> objects;
  for (auto& object : direct_.list_all_objects(options).objects) objects.insert(object.key);
  report.records = static_cast<int>(records.size());
  report.objects = static_cast<int>(objects.size());

  for (const auto& id : live) {
    if (!records.contains(id)) failures.add("record lost", id);
  }
  for (const auto& id : removed) {
    if (records.contains(id)) failures.add("removed record still in the catalog", id);
  }

  std::set<std::string> named;
  for (const auto& [id, record] : records) {
    if (!live.contains(id) && !removed.contains(id)) {
      failures.add("record the host was never given", id);
    }
    const auto status = record.storage_persist_status.value_or(PersistStatus::pending);
    report.succeeded += status == PersistStatus::succeeded;
    report.pending += status == PersistStatus::pending;
    report.failed += status == PersistStatus::failed;
    for (const auto& key : object_keys(record)) {
      named.insert(key);
      if (status == PersistStatus::succeeded && !objects.contains(key)) {
        failures.add("object of a succeeded record missing", id + " " + key);
      }
    }
    if (final && status != PersistStatus::succeeded) {
      failures.add("record not succeeded after the faults ended",
                   id + " " + record.storage_persist_error.value_or("(pending)"));
    }
  }

  std::set<std::string> orphans;
  for (const auto& key : objects) {
    if (named.contains(key)) continue;
    ++report.orphans_seen;
    if (final) {
      failures.add("object without a record", key);
    } else if (queued.contains(key)) {
      ++report.removals_queued;
    } else {
      orphans.insert(key);
      if (previous_orphans_.contains(key)) {
        failures.add("object without a record or a queued removal", key);
      }
    }
  }
  if (final && !queued.empty()) {
    failures.add("delete jobs left after finish_cleanup", std::to_string(queued.size()) + " keys");
  }
  previous_orphans_ = std::move(orphans);
  failures.finish();
  return report;
}

}  // namespace pindeck::soak
