// SPDX-License-Identifier: Apache-2.0
// One persist job from claim to commit (DESIGN §6.2, §6.3): its CPU part (derivatives, palette) on
// a worker's thread, its uploads on the object store's threads, its outcome committed on the
// engine's event thread.
#include <boost/asio/post.hpp>
#include <cstdint>
#include <future>

#include "media/derivatives.hpp"
#include "media/palette.hpp"
#include "pindeck/error.hpp"
#include "pipeline/persistence.hpp"
#include "s3/error.hpp"
#include "staging/mapped_file.hpp"

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
  } catch (const StoreConfigurationError& e) {
    return StepFailed(e.code(), FailureKind::configuration, what + ": " + e.what());
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

}  // namespace

// One job between its CPU part and its commit: what was derived (its bytes are uploaded from
// here, so it lives until every upload has ended) and how it failed, if it did.
struct Persistence::JobRun {
  catalog::Job job;
  Record record;
  std::filesystem::path staged_path;
  media::DerivedSet derived;
  std::vector<std::string> colors;
  WorkerHooks::JobDone done;

  std::mutex mutex;
  std::size_t uploads_left = 0;
  // The failure reported is that of the first upload in order (the original, then the
  // derivatives), not of whichever failed first, so the record's error does not depend on timing.
  std::size_t failed_upload = SIZE_MAX;
  std::optional<StepFailed> failure;
};

void Persistence::start_job(const catalog::Job& job, WorkerHooks::JobDone done) {
  auto found = catalog_.find(job.record_id);
  if (!found || found->storage_provider != StorageProvider::convex || !found->storage_id) {
    // Deleted, or already durable: nothing left to do. A deletion that waited for this job's
    // lease need not wait any longer: nothing was uploaded.
    jobs_->drop(job);
    if (!found) {
      try {
        if (delete_jobs_->stop_waiting_for_persist(job.record_id)) deleter_->wake();
      } catch (const Error&) {
        // The removal then runs when the lease ends.
      }
    }
    notify_settled(job.record_id, JobOutcome::released);
    done(JobOutcome::released);
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
  // The store is checked here, not when persistence starts, so that uploads are accepted while
  // it is unreachable or misconfigured (DESIGN §6.2).
  store_->async_prepare([this, run](std::exception_ptr failure) {
    if (!failure) return start_uploads(run);
    run->failure = step_failure("checking bucket " + store_->bucket() +
                                    " before uploading original " + *run->record.storage_path,
                                failure);
    boost::asio::post(events_, [this, run] { finish_job(run); });
  });
}

void Persistence::start_uploads(const std::shared_ptr<JobRun>& run) {
  const Record& record = run->record;
  // Every upload is started before any can end, so none can see the count reach zero early.
  const std::string to_bucket = " to bucket " + store_->bucket();
  struct Upload {
    std::string what;
    std::string key;
    const media::EncodedImage* image;  // nothing for the original
    std::int64_t size;
  };
  std::vector<Upload> uploads;
  uploads.push_back({"uploading original " + *record.storage_path + to_bucket, *record.storage_path,
                     nullptr, record.byte_size.value_or(0)});
  for (const auto& image : run->derived.derivatives) {
    const auto& key = key_of(run->record, image.kind);
    if (!key) continue;
    uploads.push_back(
        {"uploading " + std::string(media::name_of(image.kind)) + " " + *key + to_bucket, *key,
         &image, static_cast<std::int64_t>(image.bytes.size())});
  }
  run->uploads_left = uploads.size();
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    const auto& upload = uploads[i];
    auto ended = [this, run, i, what = upload.what, key = upload.key,
                  size = upload.size](std::exception_ptr failure) {
      // The object store reports no progress within an object: one event once it is stored.
      if (!failure && event_hub_ != nullptr) {
        event_hub_->emit(UploadProgressEvent{run->record.id, key, size, size});
      }
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
  auto outcome = JobOutcome::released;
  try {
    if (run->failure) {
      outcome = commit_failure(run->job, run->failure->kind(), run->failure->what());
    } else {
      Record persisted = run->record;
      persisted.colors = run->colors;
      outcome = commit_success(run->job, persisted);
      // Every upload of the job went through: removals backing off can go now.
      deleter_->store_answered();
    }
    if (outcome == JobOutcome::released) clean_up_if_deleted(run->record);
  } catch (const Error&) {
    // The catalog refused the outcome: the job stays leased and runs again when its lease ends.
  }
  run->done(outcome);
}

void Persistence::clean_up_if_deleted(const Record& record) {
  if (delete_jobs_->requeue_if_deleted(record, store_->provider(), store_->bucket())) {
    deleter_->wake();
  }
}

void Persistence::run_job(const catalog::Job& job) {
  std::promise<void> ended;
  start_job(job, [&ended](JobOutcome) { ended.set_value(); });
  ended.get_future().wait();
}

JobOutcome Persistence::commit_success(const catalog::Job& job, const Record& persisted) {
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
  if (committed) announce_settled(job.record_id);
  const auto outcome = committed ? JobOutcome::succeeded : JobOutcome::released;
  notify_settled(job.record_id, outcome);
  return outcome;
}

JobOutcome Persistence::commit_failure(const catalog::Job& job, FailureKind kind,
                                       const std::string& message) {
  const auto delay = retry_.next_delay(job.attempts, kind);
  bool recorded = false;
  if (delay) {
    recorded = jobs_->retry_later(job, *delay, message, [&](Record& record) {
      record.storage_persist_error = message;
      return true;
    });
  } else {
    std::string final_message = message;
    switch (kind) {
      case FailureKind::permanent: final_message += " (not retried: the error is permanent)"; break;
      case FailureKind::configuration:
        final_message += " (not retried: fix the settings, then run a backfill)";
        break;
      case FailureKind::transient:
        final_message += " (gave up after " + std::to_string(job.attempts) + " attempts)";
        break;
    }
    recorded = jobs_->fail(job, final_message, kind, [&](Record& record) {
      record.storage_persist_status = PersistStatus::failed;
      record.storage_persist_error = final_message;
      record.storage_provider = StorageProvider::convex;
      return true;
    });
  }
  auto outcome = JobOutcome::released;
  if (recorded) outcome = delay ? JobOutcome::retried : JobOutcome::failed;
  if (outcome == JobOutcome::failed) announce_settled(job.record_id);
  notify_settled(job.record_id, outcome);
  return outcome;
}

}  // namespace pindeck::pipeline
