// SPDX-License-Identifier: Apache-2.0
// Client::verify (DESIGN §6.9): pages through the matching records in list order, has the
// pipeline's Verifier check (and repair) each page's objects, saves the position and the findings
// so far after each page, and, for a run over every record, looks for orphans at the end.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "client/client_impl.hpp"
#include "client/verify_report_json.hpp"
#include "model/enums.hpp"
#include "pindeck/error.hpp"
#include "pipeline/object_store.hpp"
#include "pipeline/verifier.hpp"
#include "staging/durable_file.hpp"
#include "util/file_lock.hpp"
#include "util/sha256.hpp"

namespace pindeck {

namespace {

using nlohmann::json;

// Records per page: each page's findings are saved before the next starts.
constexpr int page_size = 100;
// Records per page when only reading keys or counting.
constexpr int survey_page_size = 1000;

// The filter's conditions (order, limit and cursor are not conditions), by their JSON names.
json conditions_of(const RecordQuery& q) {
  json conditions = json::object();
  const auto put = [&](const char* name, const auto& value) {
    if (value) conditions[name] = *value;
  };
  const auto put_name = [&](const char* name, const auto& value) {
    if (value) conditions[name] = model::to_string(*value);
  };
  put("category", q.category);
  put("group", q.group);
  put("projectName", q.project_name);
  put("moodboardName", q.moodboard_name);
  put_name("sourceType", q.source_type);
  put_name("status", q.status);
  put("genre", q.genre);
  put("style", q.style);
  put("shot", q.shot);
  put_name("aiStatus", q.ai_status);
  put_name("variationType", q.variation_type);
  if (!q.tags.empty()) conditions["tags"] = q.tags;
  if (q.originals_only) conditions["originalsOnly"] = true;
  if (q.color) {
    conditions["color"] = *q.color;
    conditions["colorDistance"] = q.color_distance;
  }
  return conditions;
}

bool has_condition(const RecordQuery& q) {
  return !conditions_of(q).empty();
}

// What makes two runs the same run: the filter's conditions and the flags that change what a
// run does. An interrupted run is continued only by a run of the same scope.
json scope_of(const VerifyOptions& options) {
  json scope = conditions_of(options.filter);
  scope["repair"] = options.repair;
  scope["deleteOrphans"] = options.delete_orphans;
  return scope;
}

// The saved position of one scope: <data dir>/verify/<first 16 hex of the scope's SHA-256>.json,
// holding the scope, the cursor after the last finished page, how many records were done and the
// report so far.
class SavedPosition {
 public:
  SavedPosition(const std::filesystem::path& data_dir, json scope)
      : dir_(data_dir / "verify"), scope_(std::move(scope)) {
    file_ = dir_ / (util::sha256_hex(scope_.dump()).substr(0, 16) + ".json");
  }

  struct State {
    std::optional<std::string> cursor;
    std::size_t records_done = 0;
    VerifyReport report;
  };

  // The state of an interrupted run of this scope, if one was saved (a file of another scope or
  // one that cannot be read is ignored: the run starts over).
  std::optional<State> load() const {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return std::nullopt;
    const json saved = json::parse(std::istreambuf_iterator<char>(in), {}, nullptr, false);
    if (saved.is_discarded() || !saved.is_object() || saved.value("scope", json()) != scope_) {
      return std::nullopt;
    }
    try {
      State state;
      if (saved.at("cursor").is_string()) state.cursor = saved.at("cursor").get<std::string>();
      state.records_done = saved.at("recordsDone").get<std::size_t>();
      state.report = client::verify_report_from_json(saved.at("report"));
      return state;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  void save(const State& state) const {
    std::filesystem::create_directories(dir_);
    const json saved = {{"scope", scope_},
                        {"cursor", state.cursor ? json(*state.cursor) : json(nullptr)},
                        {"recordsDone", state.records_done},
                        {"report", client::verify_report_json(state.report)}};
    const std::string text = saved.dump();
    staging::DurableFileWriter out(dir_);
    out.write(std::as_bytes(std::span(text.data(), text.size())));
    out.commit(file_);
  }

  void clear() const {
    std::error_code ignored;
    if (std::filesystem::remove(file_, ignored)) staging::fsync_directory(dir_);
  }

  const std::filesystem::path& dir() const { return dir_; }
  // Held by the run of this scope: a second run would save over the first one's position.
  std::filesystem::path lock_file() const {
    auto lock = file_;
    return lock.replace_extension(".lock");
  }

 private:
  std::filesystem::path dir_;
  json scope_;
  std::filesystem::path file_;
};

// Calls `each` with every page of records `filter` matches, in list order.
template <typename Each>
void for_each_page(catalog::Catalog& catalog, RecordQuery query, Each&& each) {
  query.limit = survey_page_size;
  query.order = RecordOrder::newest_first;
  query.cursor.reset();
  for (;;) {
    RecordPage page = catalog.list(query);
    each(page.records);
    if (!page.next_cursor) return;
    query.cursor = std::move(page.next_cursor);
  }
}

std::size_t count_matching(catalog::Catalog& catalog, const RecordQuery& filter) {
  std::size_t n = 0;
  for_each_page(catalog, filter, [&](const std::vector<Record>& records) { n += records.size(); });
  return n;
}

// Objects under the key prefix that no record names and no queued deletion will remove. The
// store is listed before the catalog is read: an upload in progress has its record (and keys)
// in the catalog before its first object is written, so it is never taken for an orphan.
std::vector<VerifyOrphan> find_orphans(catalog::Catalog& catalog, pipeline::Persistence& engine) {
  auto& store = engine.object_store();
  const auto listed = store.list(engine.config().key_prefix + "/");
  std::set<std::string> named;
  for_each_page(catalog, RecordQuery{}, [&](const std::vector<Record>& records) {
    for (const auto& r : records) {
      for (const auto* key : {&r.storage_path, &r.preview_storage_path}) {
        if (*key) named.insert(**key);
      }
      if (const auto& paths = r.derivative_storage_paths) {
        for (const auto* key : {&paths->small, &paths->medium, &paths->large}) {
          if (*key) named.insert(**key);
        }
      }
    }
  });
  for (auto& key : engine.delete_jobs().queued_object_keys()) named.insert(std::move(key));
  std::vector<VerifyOrphan> orphans;
  for (const auto& key : listed) {
    if (!named.contains(key)) orphans.push_back({key, false});
  }
  return orphans;
}

void validate(const VerifyOptions& options) {
  if (options.max_in_flight < 1 || options.max_in_flight > 64) {
    throw Error(Errc::invalid, std::string("verify: max_in_flight must be 1 to 64 (got ") +
                                   std::to_string(options.max_in_flight) + ")");
  }
  if (options.delete_orphans && has_condition(options.filter)) {
    throw Error(Errc::invalid,
                "verify: delete_orphans needs a run over every record (no filter condition): "
                "only such a run looks for orphans");
  }
}

}  // namespace

VerifyReport Client::verify(const VerifyOptions& options) {
  validate(options);
  catalog::Catalog& catalog = *impl_->catalog;
  pipeline::Persistence& engine = impl_->persistence.get();
  pipeline::ObjectStore& store = engine.object_store();

  const SavedPosition position(impl_->data_dir, scope_of(options));
  std::filesystem::create_directories(position.dir());
  const auto running = util::FileLock::try_lock(position.lock_file());
  if (!running) {
    throw Error(Errc::conflict,
                "verify: a run with the same filter and flags is in progress on this data "
                "directory (it holds " +
                    position.lock_file().string() + ")");
  }
  if (options.restart) position.clear();
  SavedPosition::State state;
  if (auto saved = position.load()) {
    state = std::move(*saved);
    state.report.resumed = true;
  }
  pipeline::Verifier verifier(store, engine.staging_store(), position.dir(), options.max_in_flight,
                              options.repair);

  VerifyProgress progress;
  progress.records_total = count_matching(catalog, options.filter);
  auto report_progress = [&] {
    progress.records_done = std::min(state.records_done, progress.records_total);
    progress.objects_checked = state.report.objects_checked;
    return !options.progress || options.progress(progress);
  };

  RecordQuery query = options.filter;
  query.limit = page_size;
  query.order = RecordOrder::newest_first;
  bool more = !state.cursor.has_value() || !state.cursor->empty();
  query.cursor = state.cursor;
  while (more) {
    RecordPage page = catalog.list(query);
    std::vector<Record> persisted;
    for (auto& record : page.records) {
      if (record.storage_persist_status != PersistStatus::succeeded) {
        ++state.report.records_not_persisted;
      } else if (record.storage_provider != store.provider() ||
                 record.storage_bucket != store.bucket()) {
        ++state.report.records_other_store;
      } else {
        persisted.push_back(std::move(record));
      }
    }
    auto findings = verifier.check(persisted, state.report.objects_checked);
    state.report.records_checked += persisted.size();
    std::move(findings.begin(), findings.end(), std::back_inserter(state.report.findings));
    state.records_done += page.records.size();
    more = page.next_cursor.has_value();
    // An empty cursor saves "every page done" (null would mean "start from the first").
    state.cursor = page.next_cursor.value_or("");
    query.cursor = page.next_cursor;
    position.save(state);
    if (!report_progress()) {
      state.report.complete = false;
      return state.report;
    }
  }

  if (!has_condition(options.filter)) {
    state.report.orphans = find_orphans(catalog, engine);
    state.report.orphans_checked = true;
    if (options.delete_orphans && !state.report.orphans.empty()) {
      std::vector<std::string> keys;
      for (const auto& o : state.report.orphans) keys.push_back(o.key);
      const auto failures = store.remove_many(keys);
      for (auto& o : state.report.orphans) {
        o.deleted = std::none_of(failures.begin(), failures.end(),
                                 [&](const auto& f) { return f.key == o.key; });
      }
    }
  }
  state.report.complete = true;
  position.clear();
  return state.report;
}

}  // namespace pindeck
