// SPDX-License-Identifier: Apache-2.0
// pindeck::Client: the C++ entry point. It owns a data directory and the catalog in it
// (<data dir>/catalog.sqlite) and is safe to use from many threads at once; several processes may
// open the same data directory.
//
// Every failure throws pindeck::Error (see error.hpp) with a message naming what was wrong; a
// refused call changes nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/export.h"
#include "pindeck/persistence.hpp"
#include "pindeck/query.hpp"
#include "pindeck/record.hpp"
#include "pindeck/sources.hpp"
#include "pindeck/verify.hpp"

namespace pindeck {

namespace detail {
struct ClientAccess;
}

// How a deletion goes (Client::remove, remove_where; DESIGN §6.8).
struct DeleteOptions {
  // Also deletes every variation of each record, and theirs. Without it, a record with variations
  // that are not deleted in the same call is refused (Errc::conflict).
  bool family = false;
  // Changes nothing: the report lists what would go.
  bool dry_run = false;
};

// A record a deletion took, and the object keys removed with it (those no other record names).
struct DeletedRecord {
  Record record;
  std::vector<std::string> object_keys;
};

struct DeleteReport {
  std::vector<DeletedRecord> records;  // variations before their parents
  // Of these records, how many still have objects or a staged copy queued for removal when the
  // call returns: their store could not be reached (or is not the one this client's settings
  // name), or a persist job was uploading them (their removal then waits until it ends). The
  // queue is durable; Client::finish_cleanup() or the persistence workers carry it out.
  std::size_t cleanup_pending = 0;
};

// How Client::open opens a data directory.
struct OpenOptions {
  // Where the catalog is (DESIGN §6, scale-out):
  //   sqlite:<path>                    a SQLite file, created when missing
  //   postgresql://... or postgres://  a PostgreSQL database shared by many hosts, in libpq's
  //                                    URL syntax (TLS, ~/.pgpass and services as libpq does them)
  // Empty: the environment variable PINDECK_CATALOG_URL when it is set, else
  // sqlite:<data dir>/catalog.sqlite.
  std::string catalog;
};

class PD_EXPORT Client {
 public:
  // Opens the data directory, creating it and its catalog on first use. Errc::io naming the
  // directory when it cannot be written (on a read-only file system, or without permission: the
  // message says which); Errc::database "is read-only" naming a catalog file that cannot be.
  static Client open(const std::filesystem::path& data_dir);
  // As open(data_dir), with the catalog where `options` says. Errc::invalid for a catalog
  // location that is neither; Errc::network when its server cannot be reached; Errc::database
  // when the server refuses (the message names it as postgresql://user@host:port/database, never
  // with the password).
  static Client open(const std::filesystem::path& data_dir, const OpenOptions& options);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Stores a new record and returns it with id, uniqueId (when not given) and uploadedAt (when 0)
  // filled in. A record whose externalId or generationArtifactKey is already stored is not
  // inserted again: the stored record is returned.
  Record create(const Record& record);

  // Stores many records in one transaction (much faster than one create() each); all or nothing.
  // Errc::invalid for more than limits::batch_records records.
  std::vector<CreateResult> create_batch(const std::vector<Record>& records);

  Record get(std::string_view id) const;

  // Applies a partial update: a JSON object with the fields to change (null unsets an optional
  // field). The result is validated as a whole before anything is written.
  Record update(std::string_view id, std::string_view patch_json);

  // Deletes a record with its tags, search entry and persist job, and removes what it left: its
  // original, preview and derivatives from the object store they went to and its staged copy
  // (never an object or staged copy another record names). The removal is a durable job queued in
  // the same transaction as the deletion and carried out before the call returns when the store
  // can be reached (see DeleteReport::cleanup_pending otherwise); a crash finishes it after
  // restart. A record with variations is refused (Errc::conflict) unless options.family. A
  // pending record whose persist job is running is deleted at once; its objects are removed
  // once that job's uploads have ended (the job then drops its result). Errc::not_found naming a
  // missing id.
  DeleteReport remove(std::string_view id, const DeleteOptions& options = {});
  // Deletes several records in one transaction, all or nothing, as remove() does; a parent and
  // all its variations may be named together without options.family. Errc::invalid for no ids.
  DeleteReport remove(const std::vector<std::string>& ids, const DeleteOptions& options = {});
  // Deletes every record `filter` lists (its order, limit and cursor are ignored), as remove()
  // does, deciding which in the same transaction. No match deletes nothing (an empty report).
  // Errc::invalid for a filter without any condition (it would match every record).
  DeleteReport remove_where(const RecordQuery& filter, const DeleteOptions& options = {});
  // Carries out queued removals of deleted records' objects until none is left or `timeout`
  // passes; returns how many deleted records still have some queued.
  std::size_t finish_cleanup(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  RecordPage list(const RecordQuery& query = {}) const;

  // Full-text search over title, description, tags and sref (every word must match; the last word
  // also matches as a prefix when it has 3 characters or more), best matches first, with the
  // filters of `query`.
  RecordPage search(std::string_view text, const RecordQuery& query = {}) const;

  // ---- Lineage (DESIGN §8): variations name their parent in parentImageId ----

  // The record's parent; nullopt for an original. Errc::not_found naming an unknown id.
  std::optional<Record> parent(std::string_view id) const;

  // The record's children (its variations), newest first unless `query` orders by project row,
  // with the filters of `query` and paged by its limit and cursor as list() is. Errc::not_found
  // naming an unknown id; Errc::invalid for query.originals_only (children never are).
  RecordPage children(std::string_view id, const RecordQuery& query = {}) const;

  // The record's topmost ancestor, or the record itself when it is an original, following at most
  // max_lineage_depth (12) parent links. A record further below its root is refused with
  // Errc::conflict naming the limit and the ancestor 12 levels up (from which a host can go on),
  // rather than answered with a record that is not the root. Errc::not_found naming an unknown id.
  Record root(std::string_view id) const;

  // The root of the record (as root()) and every descendant of that root at any depth, nearest
  // generations first; at most max_family_records (1,000), with Family::complete false when the
  // family is larger. The errors of root().
  Family family(std::string_view id) const;

  // ---- Project rows ----

  // Puts the records `ids` of project `project_name` in that order: each one's projectOrder
  // becomes its 0-based index in `ids`; the project's records not named keep their relative order
  // after them, renumbered from ids.size(). One transaction: all or nothing. Returns how many
  // records' projectOrder changed. Errc::not_found naming the ids no record has; Errc::invalid
  // naming ids of records not in the project (it does not move them into it: update their
  // projectName first), ids named twice, no ids, more than max_project_order_ids, or an empty
  // project name. Nothing changes then.
  std::size_t set_project_order(std::string_view project_name, const std::vector<std::string>& ids);

  // ---- Counts and counters ----

  // Counts over the records `filter` selects (its order, limit and cursor are ignored): how many,
  // and per value of category, group, genre, style, projectName, moodboardName, sourceType and
  // status, most common first (see RecordStats), all read at one moment. Errc::invalid for more
  // tag filters than list() takes.
  RecordStats stats(const RecordQuery& filter = {}) const;

  // Adds `delta` (negative to take away) to the record's likes or views and returns the new value,
  // in one statement: increments from many threads and processes on one data directory all count.
  // Errc::invalid when the count would become negative or exceed limits::count (nothing changes);
  // Errc::not_found naming a missing id.
  std::int64_t increment(std::string_view id, Counter counter, std::int64_t delta = 1);

  const std::filesystem::path& data_dir() const;

  // ---- Persistence (DESIGN §6; settings in pindeck/persistence.hpp, asynchronous forms with
  // Asio completion tokens in pindeck/async.hpp) ----

  // Starts the background workers that persist uploads. Without this call, the first upload,
  // backfill or wait starts them with PersistenceConfig::from_env(). Needs no network: the object
  // store is reached by the workers before their first upload, so uploads are accepted (and stay
  // pending) while it is down or misconfigured. Errc::conflict when they already run;
  // Errc::invalid naming a bad setting.
  void start_persistence(const PersistenceConfig& config);

  // Uploads an image: its bytes are hashed and staged durably, checked to be an image, and the
  // record is stored at once (storagePersistStatus pending, storageProvider convex, object keys
  // fixed) together with its persistence job; workers then persist it in the background.
  // `metadata` carries the host's fields (title, tags, ...); without a title the file name is
  // used. Errc::media for an empty file, bytes that are no image, a truncated image (cut short:
  // see DESIGN §6) or too many pixels; Errc::invalid when `path` is not a regular file (a FIFO,
  // directory, device or socket: refused without blocking); Errc::io saying "the disk is full"
  // when staging runs out of space. Nothing is stored then.
  Record upload_file(const std::filesystem::path& path, const Record& metadata = {});
  Record upload_bytes(std::span<const std::byte> bytes, const Record& metadata = {},
                      std::string_view file_name = {});
  // Reads the stream to its end through a fixed-size buffer (memory does not grow with size).
  Record upload_stream(std::istream& in, const Record& metadata = {},
                       std::string_view file_name = {});
  // Fills `buffer` with up to `capacity` bytes and returns how many; 0 at the end.
  using ReadChunk = std::function<std::size_t(std::byte* buffer, std::size_t capacity)>;
  Record upload_reader(const ReadChunk& read, const Record& metadata = {},
                       std::string_view file_name = {});

  // Blocks until the record is succeeded or failed, or `timeout` passes (then it is returned
  // still pending).
  Record wait_persisted(std::string_view id,
                        std::chrono::milliseconds timeout = std::chrono::minutes(10));

  // Calls `handler` with every persistence event of this client (see PersistenceEvent in
  // pindeck/persistence.hpp) until the returned Subscription is destroyed or unsubscribed, or the
  // client is closed (which ends every subscription; events still queued are dropped). Events
  // come from this client's own workers: a record another process persists is not announced.
  // Every subscriber sees every event, in the order they happened (so a record's pending comes
  // before its uploads, and they before its succeeded or failed), one call at a time.
  // The handler must not destroy this Client. Does not start persistence.
  [[nodiscard]] Subscription subscribe(EventHandler handler);

  // Reschedules persistence of up to `limit` (1 to 200) records still only in the first-stage
  // store (storageProvider convex with a storageId, any sourceType), such as those that failed.
  // Records that failed for a reason that may heal (the server was down, the disk full) or that
  // the host fixed (credentials, the bucket) come first, those a backfill rescheduled least
  // recently first, so repeated backfills get through all of them; records that failed for good
  // (an image that cannot be decoded) are skipped unless `options.include_permanent`. Returns how
  // many.
  int backfill(int limit = 50);
  int backfill(const BackfillOptions& options);

  // The persistence queue as the catalog holds it, every host's jobs when the catalog is shared.
  // Reads the catalog only: starts no worker. Errc::database when the catalog cannot be read.
  QueueCounts queue_counts() const;
  // What this client's own workers did since persistence started, exactly (QueueCounts tells the
  // catalog's view, WorkerCounts this process's): all zero while persistence does not run. Never
  // starts persistence, never reads the catalog, never fails.
  WorkerCounts worker_counts() const;

  // The bytes of the object stored under `key` (a record's storagePath, previewStoragePath or
  // one of its derivativeStoragePaths), read whole into memory from the object store this
  // client's settings name: the one persistence runs with, else the one
  // PersistenceConfig::from_env() names (the local store in the data directory by default). Does
  // not start persistence. Errc::invalid for a key the library would never write (DESIGN §3);
  // Errc::not_found naming the key and bucket when the store has no such object; Errc::io or
  // Errc::s3 when the store cannot be read.
  std::vector<std::byte> read_object(std::string_view key);
  // Checks that every object of each persisted record the filter matches is in the object store
  // the settings name, whole and of the recorded content type; without a filter condition, also
  // lists the objects under the key prefix that no record (nor a queued deletion) names. With
  // options.repair, rebuilds missing or damaged derivatives from the original (or its staged copy
  // while it exists) and re-uploads a missing original from its staged copy; orphans are deleted
  // only with options.delete_orphans. Requests run options.max_in_flight at a time. Resumable:
  // the position is saved after each batch of records, and a run stopped by options.progress (or
  // a crash, or a failure) is continued by the next run with the same filter and flags (DESIGN
  // §6.9). Errc::invalid for a bad option; Errc::conflict while a run of the same filter and
  // flags is in progress on this data directory (in this process or another); Errc::network /
  // Errc::s3 when the store cannot be asked (the position so far is kept).
  VerifyReport verify(const VerifyOptions& options = {});
  // Samples the record's palette again (DESIGN §5) from its staged copy, or else from its original
  // in the object store this client persists to (local or S3), and stores it as the record's
  // colors, which colour search then finds; returns the record as stored. Errc::not_found naming
  // the id when there is no such record, or naming the stores when neither copy is here (a record
  // persisted to another store or bucket); Errc::media when the bytes are not an image;
  // Errc::network or Errc::s3 when the store cannot be read. Starts persistence as an upload does.
  Record resample_palette(std::string_view id);

  // ---- Sources (DESIGN §7; their settings and results in pindeck/sources.hpp). Each fetches
  // images through the safe fetcher straight into the first-stage store and goes on as an upload
  // does: the record and its persist job are stored together (storagePersistStatus pending) and
  // the workers persist it. A fetch that fails stores nothing. Errors of a fetch:
  // Errc::invalid naming the rule that refused a URL (not http or https, credentials in it, an
  // address the rules refuse, more than 5 redirects) or saying the body is over the size limit;
  // Errc::not_found for a URL the server answers 404 or 410; Errc::network for a connection that
  // fails or times out and any other error status. Errc::media when the bytes are no image. ----

  // How the sources fetch from now on. Errc::invalid for a max_bytes or timeout that is not
  // positive.
  void set_fetch_settings(const FetchSettings& settings);

  // Fetches the image at `url` and ingests it with `metadata`. The URL is cleaned as Pindeck
  // cleans a pasted one (white space trimmed, <url> unwrapped, trailing `>])},.;!?` dropped) and
  // becomes the sourceUrl unless the metadata has one; the tag `original` is added. A record
  // with the same externalId, else the same sourceUrl, is returned with created false and nothing
  // is fetched. Errc::invalid for a URL that is empty once cleaned.
  CreateResult ingest_url(std::string_view url, const Record& metadata = {});

  // Imports the images of a Discord message (Discord's message JSON, with guild_id when it was
  // posted in a server), as Pindeck's bot picks, ranks and names them (DESIGN §7): each best-ranked
  // image (at most options.max_images) becomes a record with status pending, sourceType discord
  // and an externalId that makes a second import return the stored record. A message without an
  // image gives no result. Errc::invalid naming what is wrong with the JSON or the options; an
  // image that fails is reported in its ImportResult and the others go on.
  std::vector<ImportResult> ingest_discord_message(std::string_view message_json,
                                                   const DiscordImportOptions& options = {},
                                                   const ImportProgress& progress = {});

  // Imports a Pinterest pin: externalId pinterest:<board>:<pin id>, status pending. Errc::invalid
  // naming what is wrong (no pin id in page_url, an image URL that is not http or https).
  CreateResult ingest_pinterest_pin(const PinterestPin& pin);

  // Imports every pin of a board's RSS 2.0 feed (given as its text, or fetched from its URL
  // through the safe fetcher), as ingest_pinterest_pin does; the board is the one the feed names
  // unless `board` is given. Items without an image or pin id are reported with an error_code of
  // Errc::invalid. Errc::invalid when the text is not an RSS 2.0 feed.
  std::vector<ImportResult> ingest_pinterest_feed(std::string_view rss_xml,
                                                  std::string_view board = {},
                                                  const ImportProgress& progress = {});
  std::vector<ImportResult> ingest_pinterest_feed_url(std::string_view feed_url,
                                                      std::string_view board = {},
                                                      const ImportProgress& progress = {});

  // Moves a Pindeck library in from its Convex export (a directory, or a .zip of it): every
  // document of its images table becomes a record with every field the record model has, its image
  // fetched from its imageUrl and persisted like any other source. Idempotent on the old id: a
  // document already imported gives the stored record (created false). A variation names its
  // parent's new id; one whose parent was not imported fails with Errc::not_found. Documents
  // that cannot be imported (no imageUrl, a field the record rules refuse, a line that is not JSON)
  // are listed in the report's problems, and the others go on. Errc::not_found when the path or
  // its images table is missing; Errc::invalid when it is not a Convex export.
  ExportImportReport import_pindeck_export(const std::filesystem::path& dir_or_zip,
                                           const ExportImportOptions& options = {},
                                           const ImportProgress& progress = {});

  // Registers a generated image as a variation of the record `parent_id` (DESIGN §7): it inherits
  // the parent's title, category, group, projectName, moodboardName, uniqueId and tags (plus
  // `generated` and `variation`), its description, sref and sourceUrl unless `metadata` gives
  // them, and sourceType discord or pinterest with status pending when a record within 12 levels
  // up came from there (else ai, active). `metadata` carries the rest (generationArtifactKey,
  // uploadedBy, modificationMode, variationDetail, variationType). Idempotent: a
  // generationArtifactKey already stored returns that record with created false and reads
  // nothing. Errc::not_found naming a missing parent; the errors of upload_file() or of a fetch.
  CreateResult register_variation(std::string_view parent_id, const std::filesystem::path& file,
                                  const Record& metadata = {});
  CreateResult register_variation_bytes(std::string_view parent_id,
                                        std::span<const std::byte> bytes,
                                        const Record& metadata = {});
  CreateResult register_variation_url(std::string_view parent_id, std::string_view url,
                                      const Record& metadata = {});

  // Approves records waiting for moderation, in one transaction: an active record stays so, a
  // record from Discord or Pinterest becomes draft (finished by a person, as in Pindeck), any
  // other active. Returns them as stored. All or nothing: Errc::invalid for no ids,
  // Errc::not_found naming a missing id.
  std::vector<Record> approve(const std::vector<std::string>& ids);
  // Rejects records: they are deleted with everything they stored, as remove() deletes them (a
  // record with variations not rejected with it is refused with Errc::conflict).
  DeleteReport reject(const std::vector<std::string>& ids);

 private:
  friend struct detail::ClientAccess;
  struct Impl;

  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

namespace detail {

// What the asynchronous forms in pindeck/async.hpp build on; not for hosts to call.
struct PD_EXPORT ClientAccess {
  // Runs work(true) on the client's background threads, or work(false) there when the client was
  // closed before the work could start.
  static void post(Client& client, std::function<void(bool client_open)> work);
  // Starts a wait for the record to settle that holds no thread; `done` runs on the persistence
  // engine's event thread and must not block.
  static void wait_persisted(Client& client, std::string id, std::chrono::milliseconds timeout,
                             std::function<void(std::exception_ptr, Record)> done);
};

}  // namespace detail

}  // namespace pindeck
