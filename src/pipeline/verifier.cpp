// SPDX-License-Identifier: Apache-2.0
#include "pipeline/verifier.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "media/derivatives.hpp"
#include "media/format.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"
#include "staging/durable_file.hpp"
#include "staging/mapped_file.hpp"
#include "util/random.hpp"

namespace pindeck::pipeline {

namespace {

// One object to check: the record it belongs to, which of its objects, under which key.
struct Target {
  std::size_t record;
  ObjectRole role;
  std::string key;
};

struct Answer {
  std::size_t target;
  std::exception_ptr failure;
  std::optional<ReadObject> object;
};

std::optional<media::DerivativeKind> kind_of(ObjectRole role) {
  switch (role) {
    case ObjectRole::original: return std::nullopt;
    case ObjectRole::preview: return media::DerivativeKind::preview;
    case ObjectRole::small: return media::DerivativeKind::small;
    case ObjectRole::medium: return media::DerivativeKind::medium;
    case ObjectRole::large: return media::DerivativeKind::large;
  }
  return std::nullopt;
}

// The width the pipeline gives a derivative of kind `kind` (DESIGN §4).
int target_width(media::DerivativeKind kind) {
  for (const auto& spec : media::DeriveOptions::default_derivatives()) {
    if (spec.kind == kind) return spec.width;
  }
  throw Error(Errc::internal, std::string("no derivative spec for ").append(media::name_of(kind)));
}

// The format a key's extension names (keys end in the sniffed format's extension, DESIGN §3).
std::optional<media::ImageFormat> format_of_key(std::string_view key) {
  const auto dot = key.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto ext = key.substr(dot + 1);
  for (auto format : {media::ImageFormat::jpeg, media::ImageFormat::png, media::ImageFormat::webp,
                      media::ImageFormat::gif, media::ImageFormat::avif, media::ImageFormat::heic,
                      media::ImageFormat::tiff}) {
    if (media::extension(format) == ext) return format;
  }
  return std::nullopt;
}

std::vector<Target> targets_of(const std::vector<Record>& records) {
  std::vector<Target> targets;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    const DerivativeSet paths = r.derivative_storage_paths.value_or(DerivativeSet{});
    const std::pair<ObjectRole, const std::optional<std::string>*> named[] = {
        {ObjectRole::original, &r.storage_path},
        {ObjectRole::preview, &r.preview_storage_path},
        {ObjectRole::small, &paths.small},
        {ObjectRole::medium, &paths.medium},
        {ObjectRole::large, &paths.large}};
    for (const auto& [role, key] : named) targets.push_back({i, role, key->value_or("")});
  }
  return targets;
}

VerifyFinding finding(const Record& record, const Target& target, ObjectProblem problem,
                      std::string detail) {
  VerifyFinding f;
  f.record_id = record.id;
  f.role = target.role;
  f.key = target.key;
  f.problem = problem;
  f.detail = std::move(detail);
  return f;
}

std::optional<VerifyFinding> judge_original(const Record& record, const Target& target,
                                            const StoredObject& info) {
  if (record.byte_size && info.size != static_cast<std::uint64_t>(*record.byte_size)) {
    return finding(
        record, target, ObjectProblem::truncated,
        std::to_string(info.size) + " bytes, the record says " + std::to_string(*record.byte_size));
  }
  if (record.content_type && info.content_type != *record.content_type) {
    return finding(record, target, ObjectProblem::wrong_content_type,
                   "stored as " + info.content_type + ", the record says " + *record.content_type);
  }
  return std::nullopt;
}

std::optional<VerifyFinding> judge_derivative(const Record& record, const Target& target,
                                              const ReadObject& object) {
  const auto format = format_of_key(target.key);
  if (!format) {
    return finding(record, target, ObjectProblem::wrong_content_type,
                   "the key names no image format");
  }
  const auto bytes = std::as_bytes(std::span(object.bytes.data(), object.bytes.size()));
  media::ProbeResult probed;
  try {
    const auto sniffed = media::sniff_format(bytes);
    if (sniffed != format) {
      return finding(record, target, ObjectProblem::truncated,
                     std::to_string(bytes.size()) + " bytes that are no " +
                         std::string(media::extension(*format)) + " image");
    }
    probed = media::probe(bytes);
  } catch (const Error& e) {
    return finding(record, target, ObjectProblem::truncated, e.what());
  }
  if (record.width) {
    const auto kind = *kind_of(target.role);
    const auto expected = std::min<std::int64_t>(target_width(kind), *record.width);
    if (probed.width != expected) {
      return finding(
          record, target, ObjectProblem::truncated,
          std::to_string(probed.width) + " px wide, expected " + std::to_string(expected));
    }
  }
  const auto expected_type = media::content_type(*format);
  if (object.info.content_type != expected_type) {
    return finding(
        record, target, ObjectProblem::wrong_content_type,
        "stored as " + object.info.content_type + ", expected " + std::string(expected_type));
  }
  return std::nullopt;
}

// A temporary file in `dir`, removed when this goes.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& dir)
      : path_(dir / (std::string(staging::temp_prefix) + "repair-" + util::random_hex(8))) {}
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

Verifier::Verifier(ObjectStore& store, staging::Store& staging, std::filesystem::path work_dir,
                   int max_in_flight, bool repair)
    : store_(store),
      staging_(staging),
      work_dir_(std::move(work_dir)),
      max_in_flight_(max_in_flight),
      repair_(repair) {}

std::vector<VerifyFinding> Verifier::check(const std::vector<Record>& records,
                                           std::size_t& objects_checked) {
  const auto targets = targets_of(records);
  std::vector<std::optional<VerifyFinding>> found(targets.size());

  std::mutex mutex;
  std::condition_variable answered;
  std::deque<Answer> answers;
  int in_flight = 0;
  std::exception_ptr first_failure;

  // Judges one answer with the lock released: probing a derivative is the CPU part.
  auto judge = [&](Answer& answer) {
    const Target& target = targets[answer.target];
    const Record& record = records[target.record];
    if (answer.failure) {
      if (!first_failure) first_failure = answer.failure;
      return;
    }
    ++objects_checked;
    try {
      if (!answer.object) {
        found[answer.target] = finding(record, target, ObjectProblem::missing, "no such object");
      } else if (target.role == ObjectRole::original) {
        found[answer.target] = judge_original(record, target, answer.object->info);
      } else {
        found[answer.target] = judge_derivative(record, target, *answer.object);
      }
    } catch (...) {
      // Rethrown once every request has ended: the answers still to come write into this frame.
      if (!first_failure) first_failure = std::current_exception();
    }
  };
  // Judges what has come back, waiting until fewer than `limit` requests are outstanding.
  auto settle_below = [&](int limit) {
    std::unique_lock lock(mutex);
    for (;;) {
      while (!answers.empty()) {
        Answer answer = std::move(answers.front());
        answers.pop_front();
        lock.unlock();
        judge(answer);
        lock.lock();
        --in_flight;
      }
      if (in_flight < limit) return;
      answered.wait(lock, [&] { return !answers.empty(); });
    }
  };

  for (std::size_t i = 0; i < targets.size() && !first_failure; ++i) {
    if (targets[i].key.empty()) {
      ++objects_checked;
      found[i] = finding(records[targets[i].record], targets[i], ObjectProblem::missing,
                         "the record names no key for it");
      continue;
    }
    settle_below(max_in_flight_);
    {
      std::lock_guard lock(mutex);
      ++in_flight;
    }
    try {
      store_.async_read(targets[i].key, targets[i].role != ObjectRole::original,
                        [&, i](std::exception_ptr failure, std::optional<ReadObject> object) {
                          std::lock_guard lock(mutex);
                          answers.push_back({i, failure, std::move(object)});
                          answered.notify_one();
                        });
    } catch (...) {
      // A key the store refuses (a record written by hand): not an object to find.
      std::lock_guard lock(mutex);
      --in_flight;
      found[i] = finding(records[targets[i].record], targets[i], ObjectProblem::missing,
                         "the key is not a valid object key");
    }
  }
  settle_below(1);
  if (first_failure) std::rethrow_exception(first_failure);

  std::vector<VerifyFinding> findings;
  std::map<std::size_t, std::vector<std::size_t>> by_record;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!found[i]) continue;
    by_record[targets[i].record].push_back(findings.size());
    findings.push_back(std::move(*found[i]));
  }
  if (repair_) {
    for (const auto& [record, indexes] : by_record) {
      std::vector<VerifyFinding*> of_record;
      for (auto index : indexes) of_record.push_back(&findings[index]);
      repair(records[record], of_record);
    }
  }
  return findings;
}

void Verifier::repair(const Record& record, std::vector<VerifyFinding*>& findings) {
  std::optional<std::filesystem::path> staged;
  try {
    if (record.storage_id && staging_.contains(*record.storage_id)) {
      staged = staging_.path_of(*record.storage_id);
    }
  } catch (const Error&) {
    // A storageId that is no staging handle names no staged copy.
  }
  auto settle = [](VerifyFinding& f, RepairOutcome outcome, std::string why = {}) {
    f.repair = outcome;
    f.repair_error = std::move(why);
  };

  bool original_whole = true;
  for (VerifyFinding* f : findings) {
    if (f->role != ObjectRole::original) continue;
    original_whole = false;
    if (!staged || f->key.empty()) {
      settle(*f, RepairOutcome::unrepairable, "the staged copy of the original is gone");
      continue;
    }
    try {
      store_.put_file(f->key, *staged, record.content_type.value_or("application/octet-stream"));
      settle(*f, RepairOutcome::repaired);
      original_whole = true;
    } catch (const std::exception& e) {
      settle(*f, RepairOutcome::failed, e.what());
    }
  }

  std::vector<VerifyFinding*> derived;
  for (VerifyFinding* f : findings) {
    if (f->role != ObjectRole::original) derived.push_back(f);
  }
  if (derived.empty()) return;
  if (!staged && !original_whole) {
    for (VerifyFinding* f : derived) {
      settle(*f, RepairOutcome::unrepairable, "the original is gone or damaged");
    }
    return;
  }
  try {
    std::optional<TemporaryFile> copy;
    if (!staged) {
      copy.emplace(work_dir_);
      if (!record.storage_path || !store_.read_to_file(*record.storage_path, copy->path())) {
        throw Error(Errc::not_found, "the original disappeared while it was repaired");
      }
    }
    const staging::MappedFile original(staged ? *staged : copy->path());
    const auto derived_set = media::derive(original.bytes());
    for (VerifyFinding* f : derived) {
      if (f->key.empty()) {
        settle(*f, RepairOutcome::unrepairable, "the record names no key for it");
        continue;
      }
      const auto kind = *kind_of(f->role);
      const auto image =
          std::find_if(derived_set.derivatives.begin(), derived_set.derivatives.end(),
                       [&](const auto& d) { return d.kind == kind; });
      try {
        store_.put_bytes(f->key, image->bytes, image->content_type);
        settle(*f, RepairOutcome::repaired);
      } catch (const std::exception& e) {
        settle(*f, RepairOutcome::failed, e.what());
      }
    }
  } catch (const std::exception& e) {
    for (VerifyFinding* f : derived) {
      if (f->repair == RepairOutcome::not_attempted) settle(*f, RepairOutcome::failed, e.what());
    }
  }
}

}  // namespace pindeck::pipeline
