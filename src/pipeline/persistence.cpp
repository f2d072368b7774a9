// SPDX-License-Identifier: Apache-2.0
#include "pipeline/persistence.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <future>

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

// What `failure` means for the job, with a message that starts with `what`.
StepFailed step_failure(const std::string& what, std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const StepFailed& e) {
    return e;
  } catch (const s3::S3Error& e) {
    return StepFailed(e.code(), classify_failure(e.code(), e.http_status()),
                      what + ": " + e.what());
  } catch (const Error& e) {
    return StepFailed(e.code(), classify_failure(e.code()), what + ": " + e.what());
  } catch (const std::exception& e) {
    return StepFailed(Errc::internal, FailureKind::transient, what + ": " + e.what());
  }
}

// Runs `body`, turning what it throws into a StepFailed whose message starts with `what`.
template <typename Body>
auto step(const std::string& what, Body&& body) {
  try {
    return body();
  } catch (...) {
    throw step_failure(what, std::current_exception());
  }
}

// The record field that holds the object key of a derivative.
std::optional<std::string>& key_of(Record& record, media::DerivativeKind kind) {
  auto& paths = *record.derivative_storage_paths;
  switch (kind) {
    case media::DerivativeKind::preview: return record.preview_storage_path;
    case media::DerivativeKind::small: return paths.small;
    case media::DerivativeKind::medium: return paths.medium;
    case media::DerivativeKind::large: return paths.large;
  }
  throw Error(Errc::internal, "unknown derivative kind");
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
      jobs_(catalog_.persist_jobs(make_lease_owner(), config_.lease)),
      retry_(
          JobRetryPolicy{config_.max_attempts, config_.retry_min_delay, config_.retry_max_delay}),
      waiters_(
          events_.get_executor(), [this](std::string_view id) { return catalog_.get(id); },
          config_.poll_interval) {
  events_thread_ = std::thread([this] { events_.run(); });
  if (start_workers) this->start_workers();
}

Persistence::~Persistence() {
  close();
  events_work_.reset();
  events_thread_.join();
}

void Persistence::close() {
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
  if (workers_) return;
  sweep_orphaned_staging(config_.staging_orphan_age);
  WorkerOptions options;
  options.max_in_flight = config_.max_in_flight;
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
  workers_ = std::make_unique<WorkerPool>(options, std::move(hooks));
}

void Persistence::stop_workers() {
  if (workers_) workers_->stop();
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

    auto created = jobs_->insert_with_job(std::move(record));
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
  const int count = jobs_->requeue_uploads_awaiting_backfill(limit);
  if (workers_) workers_->wake();
  return count;
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

void Persistence::notify_settled(const std::string& record_id,
                                 std::optional<PersistStatus> outcome) {
  JobObserver observer;
  {
    std::lock_guard lock(observer_mutex_);
    observer = observer_;
  }
  if (observer) observer(record_id, outcome);
  waiters_.notify(record_id);
}

// One job between its CPU part and its commit: what was derived (its bytes are uploaded from
// here, so it lives until every upload has ended) and how it failed, if it did.
struct Persistence::JobRun {
  catalog::Job job;
  Record record;
  std::filesystem::path staged_path;
  media::DerivedSet derived;
  std::vector<std::string> colors;
  std::function<void()> done;

  std::mutex mutex;
  std::size_t uploads_left = 0;
  // The failure reported is that of the first upload in order (the original, then the
  // derivatives), not of whichever failed first, so the record's error does not depend on timing.
  std::size_t failed_upload = SIZE_MAX;
  std::optional<StepFailed> failure;
};

void Persistence::start_job(const catalog::Job& job, std::function<void()> done) {
  auto found = catalog_.find(job.record_id);
  if (!found || found->storage_provider != StorageProvider::convex || !found->storage_id) {
    // Deleted, or already durable: nothing left to do.
    jobs_->drop(job);
    notify_settled(job.record_id, std::nullopt);
    done();
    return;
  }
  auto run = std::make_shared<JobRun>();
  run->job = job;
  run->record = std::move(*found);
  run->done = std::move(done);
  const Record& record = run->record;
  try {
    run->staged_path = step("staged copy " + *record.storage_id,
                            [&] { return staging_.path_of(*record.storage_id); });
    const staging::MappedFile original(run->staged_path);
    run->derived = step("deriving images from " + *record.storage_path,
                        [&] { return media::derive(original.bytes()); });
    run->colors = step("sampling the palette", [&] {
      const auto& sample = run->derived.palette_sample;
      return media::palette_from_pixels(
          std::span<const std::uint8_t>(sample.pixels.data(), sample.pixels.size()),
          static_cast<std::size_t>(sample.width), static_cast<std::size_t>(sample.height),
          sample.channels);
    });
  } catch (const StepFailed& e) {
    run->failure = e;
  } catch (const std::exception& e) {
    run->failure = StepFailed(Errc::internal, FailureKind::transient, e.what());
  }
  if (run->failure) {
    boost::asio::post(events_, [this, run] { finish_job(run); });
    return;
  }

  // Every upload is started before any can end, so none can see the count reach zero early.
  const std::string to_bucket = " to bucket " + store_->bucket();
  struct Upload {
    std::string what;
    std::string key;
    const media::EncodedImage* image;  // nothing for the original
  };
  std::vector<Upload> uploads;
  uploads.push_back(
      {"uploading original " + *record.storage_path + to_bucket, *record.storage_path, nullptr});
  for (const auto& image : run->derived.derivatives) {
    const auto& key = key_of(run->record, image.kind);
    if (!key) continue;
    uploads.push_back(
        {"uploading " + std::string(media::name_of(image.kind)) + " " + *key + to_bucket, *key,
         &image});
  }
  run->uploads_left = uploads.size();
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    const auto& upload = uploads[i];
    auto ended = [this, run, i, what = upload.what](std::exception_ptr failure) {
      std::lock_guard lock(run->mutex);
      if (failure && i < run->failed_upload) {
        run->failed_upload = i;
        run->failure = step_failure(what, failure);
      }
      if (--run->uploads_left == 0) boost::asio::post(events_, [this, run] { finish_job(run); });
    };
    try {
      if (upload.image == nullptr) {
        store_->async_put_file(upload.key, run->staged_path, record.content_type.value_or(""),
                               ended);
      } else {
        store_->async_put_bytes(upload.key, upload.image->bytes, upload.image->content_type, ended);
      }
    } catch (...) {
      ended(std::current_exception());
    }
  }
}

void Persistence::finish_job(const std::shared_ptr<JobRun>& run) {
  try {
    if (run->failure) {
      commit_failure(run->job, run->failure->kind(), run->failure->what());
    } else {
      Record persisted = run->record;
      persisted.colors = run->colors;
      commit_success(run->job, persisted);
    }
  } catch (const Error&) {
    // The catalog refused the outcome: the job stays leased and runs again when its lease ends.
  }
  run->done();
}

void Persistence::run_job(const catalog::Job& job) {
  std::promise<void> ended;
  start_job(job, [&ended] { ended.set_value(); });
  ended.get_future().wait();
}

void Persistence::commit_success(const catalog::Job& job, const Record& persisted) {
  const std::string storage_id = *persisted.storage_id;
  const bool committed = jobs_->complete(job, [&](Record& record) {
    if (record.storage_id != persisted.storage_id) return false;
    record.storage_provider = store_->provider();
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

void Persistence::commit_failure(const catalog::Job& job, FailureKind kind,
                                 const std::string& message) {
  const auto delay = retry_.next_delay(job.attempts, kind);
  bool recorded = false;
  if (delay) {
    recorded = jobs_->retry_later(job, *delay, message, [&](Record& record) {
      record.storage_persist_error = message;
      return true;
    });
  } else {
    const std::string final_message =
        kind == FailureKind::permanent
            ? message + " (not retried: the error is permanent)"
            : message + " (gave up after " + std::to_string(job.attempts) + " attempts)";
    recorded = jobs_->fail(job, final_message, [&](Record& record) {
      record.storage_persist_status = PersistStatus::failed;
      record.storage_persist_error = final_message;
      record.storage_provider = StorageProvider::convex;
      return true;
    });
  }
  std::optional<PersistStatus> outcome;
  if (recorded) outcome = delay ? PersistStatus::pending : PersistStatus::failed;
  notify_settled(job.record_id, outcome);
}

}  // namespace pindeck::pipeline
