// SPDX-License-Identifier: Apache-2.0
#include "pipeline/persistence.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <future>

#include "media/format.hpp"
#include "media/object_key.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"
#include "pipeline/persistence_config.hpp"
#include "staging/mapped_file.hpp"
#include "util/log.hpp"
#include "util/random.hpp"

namespace pindeck::pipeline {

namespace {

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
                         bool start_workers, PersistenceEvents* events)
    : catalog_(catalog),
      staging_(staging_directory(config, data_dir), config.max_upload_bytes),
      store_(std::move(store)),
      config_(std::move(config)),
      jobs_(catalog_.persist_jobs(make_lease_owner(), config_.lease, util::system_now_ms,
                                  staging_.site())),
      retry_(
          JobRetryPolicy{config_.max_attempts, config_.retry_min_delay, config_.retry_max_delay}),
      waiters_(
          events_.get_executor(), [this](std::string_view id) { return catalog_.get(id); },
          config_.poll_interval),
      settled_watch_(catalog_.watch_settled(
          [this](std::string_view id) { waiters_.notify(std::string(id)); })),
      event_hub_(events),
      delete_jobs_(catalog_.delete_jobs(jobs_->owner(), config_.lease)),
      deleter_(std::make_unique<Deleter>(*delete_jobs_, *store_, staging_)) {
  events_thread_ = std::thread([this] { events_.run(); });
  if (start_workers) this->start_workers();
}

Persistence::~Persistence() {
  close();
  events_work_.reset();
  events_thread_.join();
}

void Persistence::close() {
  settled_watch_.reset();
  waiters_.close();
  stop_workers();
}

int Persistence::sweep_orphaned_staging(std::chrono::milliseconds min_age) {
  int removed = staging_.remove_temporaries_older_than(min_age);
  const auto candidates = staging_.ids_older_than(min_age);
  if (candidates.empty()) return removed;
  const auto referenced = jobs_->staged_ids_in_use();
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
  deleter_->start(config_.poll_interval);
  if (workers_) return;
  sweep_orphaned_staging(config_.staging_orphan_age);
  WorkerOptions options;
  options.max_in_flight = config_.max_in_flight;
  options.max_uploading = config_.max_uploading;
  options.cpu_threads = config_.cpu_threads;
  options.poll_interval = config_.poll_interval;
  options.renew_interval = std::max(config_.lease / 3, std::chrono::milliseconds(1));
  WorkerHooks hooks;
  hooks.claim = [this] { return jobs_->claim(); };
  hooks.next_claimable_at = [this] { return jobs_->next_claimable_at(); };
  hooks.now = [this] { return jobs_->now(); };
  hooks.renew = [this](catalog::Job& job) { jobs_->renew(job); };
  hooks.start = [this](const catalog::Job& job, WorkerHooks::JobDone done) {
    start_job(job, std::move(done));
  };
  hooks.idle = [this] { catalog_.release_memory(); };
  workers_ = std::make_unique<WorkerPool>(options, std::move(hooks));
}

void Persistence::stop_workers() {
  if (workers_) workers_->stop();
  deleter_->stop();
}

Record Persistence::ingest(const UploadSource& source, Record metadata) {
  return ingest_once(source, std::move(metadata)).record;
}

CreateResult Persistence::ingest_once(const UploadSource& source, Record metadata) {
  staging::StagedObject staged;
  if (source.staged) {
    staged = *source.staged;
  } else if (source.path) {
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
    const std::int64_t now = jobs_->now();
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

    std::optional<PersistenceEvents::Announcement> announcement;
    if (event_hub_ != nullptr) announcement.emplace(event_hub_->announce());
    auto created = jobs_->insert_with_job(std::move(record));
    if (announcement && created.created) announcement->pending(created.record);
    announcement.reset();
    if (!created.created) staging_.remove(staged.storage_id);
    if (workers_) workers_->wake();
    return created;
  } catch (...) {
    staging_.remove(staged.storage_id);
    throw;
  }
}

int Persistence::backfill(int limit, bool include_permanent) {
  if (limit < 1 || limit > 200) {
    throw Error(Errc::invalid, "backfill limit must be 1 to 200, not " + std::to_string(limit));
  }
  std::optional<PersistenceEvents::Announcement> announcement;
  if (event_hub_ != nullptr) announcement.emplace(event_hub_->announce());
  const auto requeued = jobs_->requeue_awaiting_backfill(limit, include_permanent);
  if (announcement) announcement->pending(requeued);
  announcement.reset();
  if (workers_) workers_->wake();
  return static_cast<int>(requeued.size());
}

void Persistence::async_wait_settled(std::string id, std::chrono::milliseconds timeout,
                                     SettledWaiters::Done done) {
  waiters_.wait(std::move(id), timeout, std::move(done));
}

Record Persistence::wait_settled(std::string_view id, std::chrono::milliseconds timeout) {
  std::promise<Record> settled;
  auto result = settled.get_future();
  async_wait_settled(std::string(id), timeout,
                     [&settled](std::exception_ptr failure, Record record) {
                       if (failure) {
                         settled.set_exception(failure);
                       } else {
                         settled.set_value(std::move(record));
                       }
                     });
  return result.get();
}

void Persistence::set_job_observer(JobObserver observer) {
  std::lock_guard lock(observer_mutex_);
  observer_ = std::move(observer);
}

void Persistence::notify_settled(const std::string& record_id, JobOutcome outcome) {
  JobObserver observer;
  {
    std::lock_guard lock(observer_mutex_);
    observer = observer_;
  }
  if (observer) observer(record_id, outcome);
  waiters_.notify(record_id);
}

void Persistence::announce_settled(const std::string& record_id) {
  if (event_hub_ == nullptr || !event_hub_->wanted()) return;
  try {
    auto record = catalog_.find(record_id);
    // Deleted since: there is nothing to show, and its deletion is the host's own doing.
    if (!record || !record->storage_persist_status) return;
    PersistStatusEvent event;
    event.record_id = record_id;
    event.status = *record->storage_persist_status;
    if (event.status == PersistStatus::failed) {
      event.error = record->storage_persist_error.value_or("");
    }
    event.record = std::move(*record);
    event_hub_->emit(std::move(event));
  } catch (const std::exception& e) {
    // The outcome is committed; only its announcement is lost, which a wait or get still sees.
    util::log(LogLevel::warning,
              "could not announce that record " + record_id + " settled: " + e.what());
  }
}

}  // namespace pindeck::pipeline
