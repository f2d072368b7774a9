// SPDX-License-Identifier: Apache-2.0
// Settings of the persistence pipeline (DESIGN §6): where persisted bytes go, how many images are
// processed at once, and how failures are retried. Pass them to Client::start_persistence(), or
// let the client read them from the environment on first use.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "pindeck/export.h"
#include "pindeck/record.hpp"

namespace pindeck {

// An S3-compatible object store (RustFS in production). The secret key is never logged nor
// written into records or error messages.
struct S3Settings {
  std::string endpoint;  // http(s)://host[:port], path-style addressing
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  std::string public_base_url;  // base of record URLs; the endpoint when empty
  std::string ca_file;          // PEM bundle to trust instead of the system's
};

struct PersistenceConfig {
  std::string bucket = "pindeck";
  std::string key_prefix = "media-uploads";
  // None: the embedded local object store, <data dir>/objects/<bucket>/<key>, file:// URLs.
  std::optional<S3Settings> s3;
  // Whether the workers may create the S3 bucket when it does not exist. Off by default, so a
  // mistyped bucket name is never silently created: jobs then fail with a message naming the
  // bucket and how to create it (a backfill retries them once it exists). The local object store
  // always creates its bucket directory.
  bool create_bucket = false;

  // Images decoded at the same time (what bounds memory).
  int max_in_flight = 2;
  // Images already derived whose uploads may still be under way while the next ones decode: what
  // keeps the cores busy when the object store answers slowly. Each holds its derivatives in
  // memory meanwhile (about 1 MiB for a 5120x2880 photo); 0 makes each image finish its uploads
  // before its decode slot is free again.
  int max_uploading = 8;
  int cpu_threads = 0;   // threads for libvips work; 0 = one per core
  int max_attempts = 3;  // per job, counting the first
  std::chrono::milliseconds retry_min_delay{2000};
  std::chrono::milliseconds retry_max_delay{20000};
  // A job claimed by a process that dies is claimed again this long after its last renewal.
  std::chrono::milliseconds lease{30000};
  // How often idle workers look for jobs other processes queued.
  std::chrono::milliseconds poll_interval{500};
  // Larger uploads are refused while they are staged, before anything is kept.
  static constexpr std::uint64_t default_max_upload_bytes = std::uint64_t{2} << 30;
  std::uint64_t max_upload_bytes = default_max_upload_bytes;
  // Staged copies no record names (left by a crash) are deleted when workers start, once older
  // than this (younger ones may be an upload in progress in another process).
  std::chrono::milliseconds staging_orphan_age{std::chrono::hours(1)};
  // The first-stage store: an absolute path; empty = <data dir>/staging. Its id is kept beside it
  // in <staging dir>.site, so hosts that share a catalog and name one directory on a shared mount
  // (a directory inside the mount, not the mount point: the id file must be on the mount too)
  // share one store, and any of their workers may persist what any of them staged. A local
  // directory ties each job to the host that staged it (DESIGN §6, "Many hosts").
  std::filesystem::path staging_dir;

  // The defaults above, changed by the environment. This is the library's one reader of its
  // environment; a variable set to "" counts as unset. Each setting takes the first variable set:
  //   endpoint         PINDECK_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
  //                    (none set: s3 stays empty and the local object store is used)
  //   region           PINDECK_S3_REGION, AWS_REGION, AWS_DEFAULT_REGION
  //   credentials      PINDECK_S3_ACCESS_KEY with PINDECK_S3_SECRET_KEY and
  //                    PINDECK_S3_SESSION_TOKEN; when PINDECK_S3_ACCESS_KEY is not set,
  //                    AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (a
  //                    key, its secret and its token always come from the same family)
  //   ca_file          PINDECK_S3_CA_FILE, AWS_CA_BUNDLE
  //   public_base_url  PINDECK_S3_PUBLIC_URL
  //   bucket           PINDECK_S3_BUCKET (also names the local object store's bucket)
  //   create_bucket    PINDECK_S3_CREATE_BUCKET: 1, true, yes or on; 0, false, no or off
  //   staging_dir      PINDECK_STAGING_DIR: an absolute path (a relative one is refused)
  // Starting persistence with these settings needs no network: the S3 server is first reached by
  // a worker, before its first upload (DESIGN §6.2). Errc::invalid names a variable whose value
  // cannot be read.
  PD_EXPORT static PersistenceConfig from_env();
};

// What Client::backfill reschedules (DESIGN §6.4).
struct BackfillOptions {
  int limit = 50;  // 1 to 200
  // Also records whose persistence failed for good (an image that cannot be decoded, a refusal
  // that cannot heal); they come after every other. Without it they are skipped, so they cannot
  // starve the records that may still succeed.
  bool include_permanent = false;
};

// The persistence queue at one moment (Client::queue_counts): every host's jobs when hosts share
// a catalog (DESIGN §6, many hosts).
struct QueueCounts {
  std::int64_t queued = 0;       // not settled: waiting, being worked on or waiting for a retry
  std::int64_t claimed = 0;      // of the queued: a worker holds it (its lease has not run out)
  std::int64_t retry_later = 0;  // of the queued: waiting for the time of its next attempt
  std::int64_t failed = 0;       // gave up; a backfill requeues them
  // The queued per first-stage store holding their bytes, by the store's id (the file
  // `<staging dir>.site`): only that store's workers may take them. "" for jobs any worker may
  // take.
  std::map<std::string, std::int64_t> queued_by_site;
};

// What this client's workers have done since persistence started (Client::worker_counts). A job
// they claim is in flight until it ends in exactly one of the other counts, so claimed is always
// succeeded + retried + failed + released + in_flight.
struct WorkerCounts {
  std::int64_t claimed = 0;
  std::int64_t succeeded = 0;  // persisted: the record's storagePersistStatus is succeeded
  std::int64_t retried = 0;    // an attempt failed; the job waits in the queue for its next one
  std::int64_t failed = 0;     // gave up: the record's storagePersistStatus is failed
  // Ended with no outcome of its own: the record had been deleted or persisted meanwhile, or the
  // catalog took no outcome (the lease had passed to another worker, or the catalog could not be
  // written, in which case the job is claimed again once its lease runs out).
  std::int64_t released = 0;
  std::int64_t in_flight = 0;  // claimed and not yet ended
};

// ---- Events (Client::subscribe): what this client's persistence workers do, as it happens ----

// A record's storagePersistStatus changed: pending when an upload or a source stored it and when
// a backfill of this client requeues it (not for a retry within a job's attempts), succeeded or
// failed when its job settled.
struct PersistStatusEvent {
  std::string record_id;
  PersistStatus status = PersistStatus::pending;
  std::string error;  // the record's storagePersistError when failed; empty otherwise
  Record record;      // as stored right after the change
};

// An object of a record (its original, preview or a derivative) was sent to the object store.
// The S3 client reports no progress within one object, so each object gives one event, once it
// is stored, with bytes_sent equal to bytes_total.
struct UploadProgressEvent {
  std::string record_id;
  std::string key;
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_total = 0;
};

using PersistenceEvent = std::variant<PersistStatusEvent, UploadProgressEvent>;

// Receives events. It runs on the client's event thread (one per client, shared by all its
// subscribers), never while the catalog or a lock of the library is held, so it may call the
// client (get(), even subscribe() or Subscription::unsubscribe()). It should return quickly:
// while it runs, later events wait (persistence does not: events queue up, without bound).
// An exception it throws is logged and dropped.
using EventHandler = std::function<void(const PersistenceEvent&)>;

// A handler's registration (Client::subscribe). Movable, not copyable; destroying it
// unsubscribes, as in Boost.Signals2's scoped_connection.
class PD_EXPORT Subscription {
 public:
  Subscription() noexcept;
  Subscription(Subscription&&) noexcept;
  // Unsubscribes what this held, then takes `other`'s.
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();

  // Once this returns, the handler is not called again; a call running on another thread is
  // waited for. Called from inside the handler itself, it returns at once and the handler's
  // current call is its last. Does nothing when already unsubscribed or the client was closed.
  void unsubscribe() noexcept;
  // Whether the handler may still be called: subscribed, and the client open.
  bool active() const noexcept;

 private:
  friend class Client;
  struct State;
  explicit Subscription(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace pindeck
