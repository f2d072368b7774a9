#include "pipeline/persistence.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "catalog/catalog.hpp"
#include "catalog/records_table.hpp"
#include "media/derivatives.hpp"
#include "media/format.hpp"
#include "media/object_key.hpp"
#include "media/palette.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"
#include "s3/error.hpp"
#include "staging/mapped_file.hpp"
#include "util/random.hpp"

namespace pindeck::pipeline {

namespace {

// A step of a job failed; carries how the failure is to be treated, decided where the cause
// (an HTTP status, an undecodable image) is still known.
class StepFailed : public Error {
 public:
  StepFailed(Errc code, FailureKind kind, const std::string& message)
      : Error(code, message), kind_(kind) {}
  FailureKind kind() const { return kind_; }

 private:
  FailureKind kind_;
};

// Runs `body`, turning what it throws into a StepFailed whose message starts with `what`.
template <typename Body>
auto step(const std::string& what, Body&& body) {
  try {
    return body();
  } catch (const StepFailed&) {
    throw;
  } catch (const s3::S3Error& e) {
    throw StepFailed(e.code(), classify_failure(e.code(), e.http_status()), what + ": " + e.what());
  } catch (const Error& e) {
    throw StepFailed(e.code(), classify_failure(e.code()), what + ": " + e.what());
  } catch (const std::exception& e) {
    throw StepFailed(Errc::internal, FailureKind::transient, what + ": " + e.what());
  }
}

std::string file_stem_of(const std::optional<std::string>& file_name) {
  if (!file_name) return {};
  return std::filesystem::path(*file_name).stem().string();
}

// What the host may not decide for an upload: everything about where the bytes are.
void clear_persistence_fields(Record& record) {
  record.storage_bucket.reset();
  record.storage_persist_error.reset();
  record.storage_path.reset();
  record.preview_storage_path.reset();
  record.derivative_urls.reset();
  record.derivative_storage_paths.reset();
  record.image_url.reset();
  record.preview_url.reset();
}

}  // namespace

std::string make_lease_owner() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + util::random_hex(4);
}

Persistence::Persistence(catalog::Catalog& catalog, const std::filesystem::path& data_dir,
                         std::unique_ptr<ObjectStore> store, PersistenceConfig config,
                         bool start_workers)
    : catalog_(catalog),
      staging_(data_dir / "staging", config.max_upload_bytes),
      store_(std::move(store)),
      config_(std::move(config)),
      queue_(make_lease_owner(), config_.lease),
      retry_(RetryPolicy{config_.max_attempts, config_.retry_min_delay, config_.retry_max_delay}) {
  if (start_workers) this->start_workers();
}

int Persistence::sweep_orphaned_staging(std::chrono::milliseconds min_age) {
  int removed = staging_.remove_temporaries_older_than(min_age);
  const auto candidates = staging_.ids_older_than(min_age);
  if (candidates.empty()) return removed;
  const auto referenced = catalog_.read([&](catalog::Database& db) {
    std::set<std::string> ids;
    auto select = db.prepare(
        "SELECT json_extract(doc, '$.storageId') FROM records "
        "WHERE json_extract(doc, '$.storageId') IS NOT NULL");
    while (select.step()) ids.insert(select.text(0));
    return ids;
  });
  for (const auto& id : candidates) {
    if (referenced.contains(id)) continue;
    try {
      if (staging_.remove(id)) ++removed;
    } catch (const Error&) {
      // Not one of ours (a foreign file name) or already gone: leave it.
    }
  }
  return removed;
}

void Persistence::start_workers() {
  if (workers_) return;
  sweep_orphaned_staging(config_.staging_orphan_age);
  WorkerOptions options;
  options.max_in_flight = config_.max_in_flight;
  options.cpu_threads = config_.cpu_threads;
  options.poll_interval = config_.poll_interval;
  options.renew_interval = std::max(config_.lease / 3, std::chrono::milliseconds(1));
  WorkerHooks hooks;
  hooks.claim = [this] {
    return catalog_.write([&](catalog::Database& db) { return queue_.claim(db); });
  };
  hooks.next_claimable_at = [this] {
    return catalog_.read([&](catalog::Database& db) { return queue_.next_claimable_at(db); });
  };
  hooks.now = [this] { return queue_.now(); };
  hooks.renew = [this](Job& job) {
    catalog_.write([&](catalog::Database& db) { queue_.renew(db, job); });
  };
  hooks.run = [this](const Job& job) { run_job(job); };
  workers_ = std::make_unique<WorkerPool>(options, std::move(hooks));
}

Persistence::~Persistence() {
  stop_workers();
}

void Persistence::stop_workers() {
  if (workers_) workers_->stop();
}

JobCounts Persistence::job_counts() {
  return catalog_.read([&](catalog::Database& db) { return queue_.counts(db); });
}

Record Persistence::ingest(const UploadSource& source, Record metadata) {
  staging::StagedObject staged;
  if (source.path) {
    staged = staging_.put_file(*source.path);
  } else if (source.reader) {
    staged = staging_.put(source.reader);
  } else {
    staged = staging_.put_bytes(source.bytes);
  }
  try {
    std::optional<std::string> file_name = source.file_name;
    if (!file_name && source.path) file_name = source.path->filename().string();

    const staging::MappedFile mapped(staged.path);
    if (mapped.bytes().empty()) {
      throw Error(Errc::media, "upload" + (file_name ? " '" + *file_name + "'" : std::string()) +
                                   " is empty (0 bytes): not an image");
    }
    media::ProbeResult probe;
    try {
      probe = media::probe(mapped.bytes());
    } catch (const Error& e) {
      throw Error(e.code(), "upload" + (file_name ? " '" + *file_name + "'" : std::string()) +
                                " refused: " + e.what());
    }

    Record record = std::move(metadata);
    clear_persistence_fields(record);
    const std::int64_t now = queue_.now();
    if (record.uploaded_at == 0) record.uploaded_at = now;
    record.ingested_at = now;
    if (!record.source_type) record.source_type = SourceType::upload;
    const bool untitled = record.title.empty() || record.title == "Untitled";
    if (untitled && !file_stem_of(file_name).empty()) record.title = file_stem_of(file_name);
    record.storage_provider = StorageProvider::convex;
    record.storage_persist_status = PersistStatus::pending;
    record.storage_id = staged.storage_id;
    record.content_type = std::string(media::content_type(probe.format));
    record.width = probe.width;
    record.height = probe.height;
    record.byte_size = static_cast<std::int64_t>(staged.byte_size);
    record.sha256 = staged.sha256;

    // The namer only names keys here; URLs come from the object store at commit time, so its
    // base URL is a stand-in.
    const media::ObjectKeyNamer namer(
        media::ObjectStoreLayout{config_.bucket, config_.key_prefix, "http://127.0.0.1"});
    const auto keys =
        namer.keys_for(untitled ? std::string_view() : record.title, file_name.value_or(""),
                       record.uploaded_at, media::extension(probe.format));
    record.storage_path = keys.original;
    record.preview_storage_path = keys.preview;
    record.derivative_storage_paths = DerivativeSet{keys.small, keys.medium, keys.large};

    auto created = catalog_.write([&](catalog::Database& db) {
      auto result = catalog::insert_record(db, record);
      if (result.created) queue_.enqueue(db, result.record.id);
      return result;
    });
    if (!created.created) staging_.remove(staged.storage_id);
    if (workers_) workers_->wake();
    return created.record;
  } catch (...) {
    staging_.remove(staged.storage_id);
    throw;
  }
}

int Persistence::backfill(int limit) {
  if (limit < 1 || limit > 200) {
    throw Error(Errc::invalid, "backfill limit must be 1 to 200, not " + std::to_string(limit));
  }
  const int count = catalog_.write([&](catalog::Database& db) {
    std::vector<std::string> ids;
    {
      auto select = db.prepare(
          "SELECT id FROM records WHERE source_type = 'upload' "
          "AND json_extract(doc, '$.storageProvider') = 'convex' "
          "AND json_extract(doc, '$.storageId') IS NOT NULL "
          "AND NOT EXISTS (SELECT 1 FROM persist_jobs j WHERE j.record_id = records.id "
          "AND j.state = 'queued') ORDER BY uploaded_at, id LIMIT ?1");
      select.bind(1, static_cast<std::int64_t>(limit));
      while (select.step()) ids.push_back(select.text(0));
    }
    for (const auto& id : ids) {
      Record record = catalog::load_record(db, id);
      record.storage_persist_status = PersistStatus::pending;
      catalog::replace_record(db, record);
      queue_.enqueue(db, id);
    }
    return static_cast<int>(ids.size());
  });
  if (workers_) workers_->wake();
  return count;
}

Record Persistence::wait_settled(std::string_view id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Record record =
        catalog_.read([&](catalog::Database& db) { return catalog::load_record(db, id); });
    if (record.storage_persist_status != PersistStatus::pending) return record;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return record;
    // Another process may settle it too, so the wait also polls.
    std::unique_lock lock(settled_mutex_);
    settled_cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                   deadline - now, std::chrono::milliseconds(200)));
  }
}

void Persistence::set_job_observer(JobObserver observer) {
  std::lock_guard lock(settled_mutex_);
  observer_ = std::move(observer);
}

void Persistence::notify_settled(const std::string& record_id,
                                 std::optional<PersistStatus> outcome) {
  JobObserver observer;
  {
    std::lock_guard lock(settled_mutex_);
    observer = observer_;
    settled_cv_.notify_all();
  }
  if (observer) observer(record_id, outcome);
}

void Persistence::run_job(const Job& job) {
  const auto found =
      catalog_.read([&](catalog::Database& db) { return catalog::find_record(db, job.record_id); });
  if (!found || found->storage_provider != StorageProvider::convex || !found->storage_id) {
    // Deleted, or already durable: nothing left to do.
    catalog_.write([&](catalog::Database& db) { queue_.complete(db, job); });
    notify_settled(job.record_id, std::nullopt);
    return;
  }
  const Record& record = *found;
  try {
    const auto staged_path = step("staged copy " + *record.storage_id,
                                  [&] { return staging_.path_of(*record.storage_id); });
    const staging::MappedFile original(staged_path);
    const auto derived = step("deriving images from " + *record.storage_path,
                              [&] { return media::derive(original.bytes()); });
    const auto colors = step("sampling the palette", [&] {
      const auto& sample = derived.palette_sample;
      return media::palette_from_pixels(
          std::span<const std::uint8_t>(sample.pixels.data(), sample.pixels.size()),
          static_cast<std::size_t>(sample.width), static_cast<std::size_t>(sample.height),
          sample.channels);
    });

    const std::string to_bucket = " to bucket " + store_->bucket();
    step("uploading original " + *record.storage_path + to_bucket, [&] {
      store_->put_file(*record.storage_path, staged_path, record.content_type.value_or(""));
    });
    const auto& paths = *record.derivative_storage_paths;
    for (const auto& image : derived.derivatives) {
      const std::optional<std::string>* key = nullptr;
      if (image.name == "preview") key = &record.preview_storage_path;
      if (image.name == "small") key = &paths.small;
      if (image.name == "medium") key = &paths.medium;
      if (image.name == "large") key = &paths.large;
      if (key == nullptr || !*key) continue;
      step("uploading " + image.name + " " + **key + to_bucket,
           [&] { store_->put_bytes(**key, image.bytes, image.content_type); });
    }

    Record persisted = record;
    persisted.colors = colors;
    commit_success(job, persisted);
  } catch (const StepFailed& e) {
    commit_failure(job, e.kind(), e.what());
  } catch (const std::exception& e) {
    commit_failure(job, FailureKind::transient, e.what());
  }
}

void Persistence::commit_success(const Job& job, const Record& persisted) {
  const std::string storage_id = *persisted.storage_id;
  const bool committed = catalog_.write([&](catalog::Database& db) {
    Record record = catalog::load_record(db, job.record_id);
    if (record.storage_id != persisted.storage_id || !queue_.complete(db, job)) return false;
    record.storage_provider =
        store_->provider() == "local" ? StorageProvider::local : StorageProvider::rustfs;
    record.storage_bucket = store_->bucket();
    record.storage_persist_status = PersistStatus::succeeded;
    record.storage_persist_error.reset();
    record.storage_id.reset();
    record.colors = persisted.colors;
    record.image_url = store_->public_url(*record.storage_path);
    record.preview_url = store_->public_url(*record.preview_storage_path);
    const auto& paths = *record.derivative_storage_paths;
    record.derivative_urls =
        DerivativeSet{store_->public_url(*paths.small), store_->public_url(*paths.medium),
                      store_->public_url(*paths.large)};
    catalog::replace_record(db, record);
    return true;
  });
  // Only now is the staged copy redundant; if deleting it fails, it is just a leftover file.
  if (committed) {
    try {
      staging_.remove(storage_id);
    } catch (const Error&) {
    }
  }
  notify_settled(job.record_id, committed ? std::optional(PersistStatus::succeeded) : std::nullopt);
}

void Persistence::commit_failure(const Job& job, FailureKind kind, const std::string& message) {
  const auto delay = retry_.next_delay(job.attempts, kind);
  const bool recorded = catalog_.write([&](catalog::Database& db) {
    auto record = catalog::find_record(db, job.record_id);
    if (delay) {
      if (!queue_.retry_later(db, job, *delay, message) || !record) return false;
      record->storage_persist_error = message;
    } else {
      const std::string final_message =
          kind == FailureKind::permanent
              ? message + " (not retried: the error is permanent)"
              : message + " (gave up after " + std::to_string(job.attempts) + " attempts)";
      if (!queue_.fail(db, job, final_message) || !record) return false;
      record->storage_persist_status = PersistStatus::failed;
      record->storage_persist_error = final_message;
      record->storage_provider = StorageProvider::convex;
    }
    catalog::replace_record(db, *record);
    return true;
  });
  std::optional<PersistStatus> outcome;
  if (recorded) outcome = delay ? PersistStatus::pending : PersistStatus::failed;
  notify_settled(job.record_id, outcome);
}

}  // namespace pindeck::pipeline
