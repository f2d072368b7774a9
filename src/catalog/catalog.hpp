// SPDX-License-Identifier: Apache-2.0
// The catalog of records (DESIGN §2, §8) and the durable queue of persist jobs (§6), as the rest of
// the library sees it. Nothing outside src/catalog/ writes SQL or knows which database holds the
// catalog: a second backend (PostgreSQL, for hosts that outgrow one machine) implements this
// interface and PersistJobs, and pipeline/ and client/ do not change.
//
// Every method is safe to call from many threads; each is one transaction. Failures throw
// pindeck::Error naming what was wrong (not_found, invalid, conflict, io, ...); a refused call
// changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/delete_jobs.hpp"
#include "catalog/persist_jobs.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"

namespace pindeck::catalog {

// A field by which a source finds a record it may have ingested before (DESIGN §7).
enum class RecordKey { external_id, generation_artifact_key, source_url };

// Watches for records that settle on any host; watching stops when it is destroyed.
class SettledWatch {
 public:
  virtual ~SettledWatch() = default;
};

// A persist job as a copy of the catalog carries it (migrate_catalog): its state without the
// lease, so that a job claimed where it was read is queued again where it is stored.
struct JobSnapshot {
  bool failed = false;  // gave up (only a backfill requeues it); else queued
  int attempts = 0;
  std::int64_t next_attempt_at = 0;  // not claimable before, ms since the epoch
  std::optional<std::string> last_error;
  std::optional<FailureKind> failure;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> backfilled_at;
  std::optional<std::string> staged_at;  // Catalog::persist_jobs' staging_site; none: any worker

  bool operator==(const JobSnapshot&) const = default;
};

// A record with its persist job, as a copy of the catalog carries them.
struct CatalogEntry {
  Record record;
  std::optional<JobSnapshot> persist_job;
};

// A queued deletion (delete_jobs.hpp) as a copy of the catalog carries it, without its lease.
struct DeleteJobSnapshot {
  std::int64_t position = 0;  // its place in the catalog it was read from: a page's cursor
  std::string record_id;
  std::optional<std::string> provider;
  std::optional<std::string> bucket;
  std::vector<std::string> object_keys;
  std::optional<std::string> staged_id;
  std::int64_t next_attempt_at = 0;
  int attempts = 0;
  std::optional<std::string> last_error;
  std::int64_t created_at = 0;
};

// What Catalog::import_entries did.
struct ImportResult {
  int records = 0;       // stored
  int persist_jobs = 0;  // stored with them
  // Not stored: their parent is neither stored nor among the entries (a record given a newer
  // parent comes before it): to be given again with a later page.
  std::vector<CatalogEntry> waiting_for_parent;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Validates the record, assigns id, uniqueId and uploadedAt where unset, and stores it; a record
  // whose externalId or generationArtifactKey is already stored yields the stored one instead.
  virtual CreateResult insert(Record record) = 0;
  // All records in one transaction: if one is refused, none is stored.
  virtual std::vector<CreateResult> insert_batch(std::vector<Record> records) = 0;
  // Errc::not_found naming the id when there is no such record.
  virtual Record get(std::string_view id) = 0;
  virtual std::optional<Record> find(std::string_view id) = 0;
  // The record whose `key` is `value`; sourceUrl is not unique, so the oldest such record.
  virtual std::optional<Record> find_by(RecordKey key, std::string_view value) = 0;
  // In one transaction, applies to each record named the JSON merge patch `patch_of` gives for it
  // (nothing when it gives an empty object), validating each result; returns the records as
  // stored, in the order of `ids`. All or nothing: Errc::not_found naming a missing id, or the
  // first refusal, and nothing changes.
  virtual std::vector<Record> update_each(
      const std::vector<std::string>& ids,
      const std::function<nlohmann::json(const Record&)>& patch_of) = 0;
  // Applies a JSON merge patch of record fields and validates the result before writing it.
  virtual Record update(std::string_view id, const nlohmann::json& patch) = 0;
  // Deletes the records named (all or nothing; see record_removal.hpp for what is refused) with
  // their tags, search entries and persist jobs, and queues the removal of their objects and
  // staged copies in the same transaction (DESIGN §6.8). With `dry_run`, changes nothing and
  // returns what would go. Variations come before their parents.
  virtual std::vector<RemovedRecord> remove_records(const std::vector<std::string>& ids,
                                                    bool family, bool dry_run) = 0;
  // remove_records of every record `filter` lists (its limit and cursor are ignored), decided in
  // the same transaction.
  virtual std::vector<RemovedRecord> remove_matching(const RecordQuery& filter, bool family,
                                                     bool dry_run) = 0;
  virtual RecordPage list(const RecordQuery& query) = 0;
  virtual RecordPage search(std::string_view text, const RecordQuery& query) = 0;
  // Counts per value of the fields RecordStats names over the records `filter` selects (its order,
  // limit and cursor are ignored), all read at one moment.
  virtual RecordStats stats(const RecordQuery& filter) = 0;
  // Adds `delta` to a record's likes or views atomically (also against other processes) and
  // returns the new value; Errc::invalid when it would leave 0 to limits::count.
  virtual std::int64_t increment(std::string_view id, Counter counter, std::int64_t delta) = 0;

  // Lineage (DESIGN §8; lineage.hpp says what each returns and refuses).
  virtual std::optional<Record> parent(std::string_view id) = 0;
  virtual RecordPage children(std::string_view id, const RecordQuery& query) = 0;
  virtual Record root(std::string_view id) = 0;
  virtual Family family(std::string_view id) = 0;
  // Orders a project row; all or nothing. Returns how many records' projectOrder changed.
  virtual std::size_t set_project_order(std::string_view project_name,
                                        const std::vector<std::string>& ids) = 0;

  // The job queue seen by one owner (unique per process) whose claims last `lease` unless renewed.
  // `staging_site` names the first-stage store whose bytes this owner reads (staging::Store::
  // site()): the jobs it queues are for that store's workers only, and it claims only those and
  // the jobs any worker may take (queued with no site). Empty: a first stage every worker reaches.
  virtual std::unique_ptr<PersistJobs> persist_jobs(std::string owner,
                                                    std::chrono::milliseconds lease,
                                                    util::Clock clock = util::system_now_ms,
                                                    std::string staging_site = {}) = 0;
  // The queue of deletions seen by one owner, claims lasting `lease`.
  virtual std::unique_ptr<DeleteJobs> delete_jobs(std::string owner,
                                                  std::chrono::milliseconds lease,
                                                  util::Clock clock = util::system_now_ms) = 0;

  // Calls `settled` (on a thread of the watch's own) with the id of each record whose persist job
  // ended, completed or failed for good, by any process on any host, soon after the commit; until
  // the watch returned is destroyed. nullptr when the backend has no such notice (SQLite: the
  // persistence engine's poll finds what other processes settled).
  virtual std::unique_ptr<SettledWatch> watch_settled(
      std::function<void(std::string_view record_id)> /* settled */) {
    return nullptr;
  }

  // Copying a whole catalog into another, whatever the two backends (migrate_catalog): pages read
  // one snapshot each, and a copy stopped half-way goes on where it stopped when run again.
  // Up to `limit` records with their persist jobs, in the order they were stored (so a parent
  // before its variations), after the record `after_id` (from the first when empty or no longer
  // stored).
  virtual std::vector<CatalogEntry> export_after(std::string_view after_id, int limit) = 0;
  // Stores the entries as they are (ids, times, counters, tags, palette, lineage, project order,
  // jobs without their lease), in one transaction, parents before their variations; entries whose
  // id is stored already are skipped, those whose parent is missing handed back. All or nothing:
  // the first refusal names its record.
  virtual ImportResult import_entries(const std::vector<CatalogEntry>& entries) = 0;
  // Up to `limit` queued deletions after `after_position` (from the first when 0), in order.
  virtual std::vector<DeleteJobSnapshot> export_delete_jobs_after(std::int64_t after_position,
                                                                  int limit) = 0;
  // Queues the deletions as they are, in one transaction, skipping those queued already (same
  // record, same creation time). Returns how many were queued.
  virtual int import_delete_jobs(const std::vector<DeleteJobSnapshot>& jobs) = 0;

  // Hands back the memory the backend keeps only for speed (SQLite's page cache), for a host
  // whose work has paused: its resident size returns to the idle level after a burst.
  virtual void release_memory() = 0;
};

// Opens (creating it when missing) the SQLite catalog file and brings its schema up to date.
std::unique_ptr<Catalog> open_catalog(const std::filesystem::path& file);

// Opens the catalog a location names and brings its schema up to date:
//   sqlite:<path>                    a SQLite file, created when missing
//   postgresql://... or postgres://  a PostgreSQL database, in libpq's URL syntax (TLS, password
//                                    files and services as libpq does them)
// Errc::invalid naming what is wrong with any other location (never echoing a password); then
// the errors of the backend's open.
std::unique_ptr<Catalog> open_catalog_at(std::string_view location);

// The location as messages and logs may show it: a PostgreSQL URL without its password.
std::string describe_catalog_location(std::string_view location);

// The file a sqlite:<path> location names (maybe empty); none for any other location.
std::optional<std::filesystem::path> sqlite_location_file(std::string_view location);

// What two locations of one catalog have in common and locations of others do not: a SQLite
// file's resolved path, a PostgreSQL database's user@host:port/name (never its password). None
// for a location open_catalog_at refuses.
std::optional<std::string> catalog_identity(std::string_view location);

}  // namespace pindeck::catalog
