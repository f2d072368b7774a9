// SPDX-License-Identifier: Apache-2.0
// Catalog throughput and latency over 100,000 records.
//
//  - BM_CatalogInsertBatches: Catalog::insert_batch (validation, ids, unique-key checks, tags,
//    search index), one transaction per batch. Peer: BM_PlainSqliteInsertBatches, the same JSON
//    documents inserted into a bare (id, doc) table by one prepared INSERT, same pragmas — the
//    floor any catalog on SQLite pays.
//  - BM_CatalogFill/<backend>: the 100,000 records the query benchmarks below share, inserted in
//    batches of 1,000 (once per backend; a run that filters it out fills the catalog untimed).
//  - BM_CatalogList/<backend> / BM_CatalogSearch/<backend>: filtered pages and full-text searches
//    over that catalog; counters p50_ms and p95_ms are per-query latencies.
//  - BM_CatalogLineage: root, family, children and parent of records in a catalog of 100,000
//    records made of 4,000 families, each a chain 12 levels deep with a second child at every
//    level (25 records); the record asked about is at depth 12 (root, family, parent) or on the
//    chain (children). Peer: BM_CatalogList's pages over the same number of records. SQLite only.
//  - BM_CatalogStats/<backend>: Catalog::stats (the total and the counts per category, group,
//    genre, style, project, moodboard, source type and status) over the same catalog, without a
//    filter and with the filters Pindeck's sidebar combines; p50_ms and p95_ms per call.
//
// Backends: sqlite, a file under the temporary directory; postgresql, the database
// PINDECK_BENCH_PG_URL names, when set. That database must be empty and is left filled:
// benchmarks/catalog/queries.sh starts a throw-away server for it. BM_CatalogFill on PostgreSQL
// includes a VACUUM (ANALYZE) of the tables, as autovacuum does after bulk inserts.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "catalog/postgres/connection.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "model/record_json.hpp"

namespace {

using pindeck::Record;
using pindeck::RecordQuery;
using pindeck::catalog::Catalog;
using pindeck::catalog::open_catalog_at;
using pindeck::catalog::SqliteCatalog;

constexpr int total_records = 100'000;

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("pindeck-bench-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Records shaped like a real library: a few thousand words of vocabulary, 200 tags, 10
// categories, 100 projects, mixed sources and statuses.
class RecordMaker {
 public:
  Record next() {
    Record r;
    r.title = word() + " " + word() + " " + word();
    r.description = word() + " " + word() + " " + word() + " " + word() + " " + word();
    r.category = "category-" + std::to_string(pick(10));
    r.tags = {"tag-" + std::to_string(pick(200)), "tag-" + std::to_string(pick(200)),
              "tag-" + std::to_string(pick(200))};
    r.group = "group-" + std::to_string(pick(20));
    r.project_name = "project-" + std::to_string(pick(100));
    r.project_order = pick(1000);
    r.moodboard_name = "board-" + std::to_string(pick(50));
    r.source_type = static_cast<pindeck::SourceType>(pick(4));
    r.status = static_cast<pindeck::RecordStatus>(pick(4));
    if (!parents_.empty() && pick(10) == 0) {
      r.parent_image_id =
          parents_[static_cast<std::size_t>(pick(static_cast<int>(parents_.size())))];
    }
    r.sref = "--sref " + std::to_string(pick(100000));
    r.uploaded_at = 1700000000000 + static_cast<std::int64_t>(counter_++) * 1000;
    r.content_type = "image/jpeg";
    r.width = 5120;
    r.height = 2880;
    r.byte_size = 1000000 + pick(1000000);
    r.colors = std::vector<std::string>{"#1a2b3c", "#ffeedd"};
    // As Pindeck's vision model leaves them: most records labelled, some not yet.
    if (pick(5) != 0) r.genre = "genre-" + std::to_string(pick(12));
    if (pick(5) != 0) r.style = "style-" + std::to_string(pick(8));
    return r;
  }

  std::string word() { return "w" + std::to_string(pick(3000)); }

  // From now on one record in ten is a variation of one of these (a parent must be stored).
  void set_parents(std::vector<std::string> ids) { parents_ = std::move(ids); }

 private:
  std::int64_t pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::mt19937 rng_{42};
  int counter_ = 0;
  std::vector<std::string> parents_;
};

// A variation's parent must be stored (DESIGN §2), so variations name one of the first 1,000
// records; those of the first batch stay originals.
void insert_all(Catalog& catalog, int batch_size) {
  RecordMaker maker;
  for (int done = 0; done < total_records; done += batch_size) {
    std::vector<Record> batch;
    batch.reserve(static_cast<std::size_t>(batch_size));
    for (int i = 0; i < batch_size; ++i) batch.push_back(maker.next());
    auto results = catalog.insert_batch(std::move(batch));
    if (done == 0) {
      std::vector<std::string> parents;
      for (std::size_t i = 0; i < results.size() && i < 1000; ++i) {
        parents.push_back(results[i].record.id);
      }
      maker.set_parents(std::move(parents));
    }
  }
}

void BM_CatalogInsertBatches(benchmark::State& state) {
  auto batch_size = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = scratch("insert");
    auto catalog = SqliteCatalog::open(dir / "catalog.sqlite");
    state.ResumeTiming();
    insert_all(*catalog, batch_size);
    state.PauseTiming();
    catalog.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * total_records);
}
BENCHMARK(BM_CatalogInsertBatches)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(sqlite3_errmsg(db));
}

void BM_PlainSqliteInsertBatches(benchmark::State& state) {
  auto batch_size = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = scratch("plain");
    sqlite3* db = nullptr;
    check(sqlite3_open((dir / "plain.sqlite").c_str(), &db), db);
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       "CREATE TABLE docs (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)",
                       nullptr, nullptr, nullptr),
          db);
    sqlite3_stmt* insert = nullptr;
    check(
        sqlite3_prepare_v2(db, "INSERT INTO docs (id, doc) VALUES (?1, ?2)", -1, &insert, nullptr),
        db);
    state.ResumeTiming();
    RecordMaker maker;
    int n = 0;
    for (int done = 0; done < total_records; done += batch_size) {
      check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db);
      for (int i = 0; i < batch_size; ++i) {
        Record r = maker.next();
        std::string id = std::to_string(n++);
        std::string doc = pindeck::model::to_json(r).dump();
        sqlite3_bind_text(insert, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db);
        sqlite3_reset(insert);
      }
      check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
    }
    state.PauseTiming();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * total_records);
}
BENCHMARK(BM_PlainSqliteInsertBatches)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The catalogs of 100,000 records the query benchmarks share, one per location, filled on first
// use. Returns the catalog and whether this call filled it.
Catalog& full_catalog(const std::string& location, bool* filled_now = nullptr) {
  static std::map<std::string, std::unique_ptr<Catalog>> catalogs;
  auto& catalog = catalogs[location];
  if (filled_now != nullptr) *filled_now = catalog == nullptr;
  if (catalog == nullptr) {
    catalog = open_catalog_at(location);
    insert_all(*catalog, 1000);
    // A production server's autovacuum would, within a minute of these inserts, gather the
    // planner's statistics and merge the search index's pending entries (without which a search
    // costs 20 times more); the benchmark's server runs without it, so it is done here.
    if (!pindeck::catalog::sqlite_location_file(location)) {
      pindeck::catalog::postgres::Connection::open(location)->run_script(
          "VACUUM (ANALYZE) records, record_tags, record_colors");
    }
  }
  return *catalog;
}

void BM_CatalogFill(benchmark::State& state, const std::string& location) {
  for (auto _ : state) {
    bool filled_now = false;
    full_catalog(location, &filled_now);
    if (!filled_now) state.SkipWithError("the catalog was filled before this benchmark ran");
  }
  state.SetItemsProcessed(state.iterations() * total_records);
}

void report_latencies(benchmark::State& state, std::vector<double>& ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  state.counters["p50_ms"] = at(0.50);
  state.counters["p95_ms"] = at(0.95);
  state.counters["max_ms"] = ms.back();
}

template <typename Query>
void run_timed(benchmark::State& state, Query&& query) {
  std::vector<double> ms;
  std::size_t rows = 0;
  int i = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    rows += query(i++).records.size();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  benchmark::DoNotOptimize(rows);
  state.counters["rows_per_query"] = static_cast<double>(rows) / static_cast<double>(ms.size());
  report_latencies(state, ms);
}

// The filters hosts use, one kind per run: 50 records a page.
void BM_CatalogList(benchmark::State& state, const std::string& location) {
  Catalog& catalog = full_catalog(location);
  std::mt19937 rng(7);
  auto n = [&](int k) { return std::to_string(std::uniform_int_distribution<int>(0, k - 1)(rng)); };
  const auto kind = state.range(0);
  static constexpr const char* labels[] = {"all",
                                           "category",
                                           "tag",
                                           "project row",
                                           "source+status",
                                           "moodboard+originals",
                                           "category page 2"};
  state.SetLabel(labels[kind]);
  std::vector<std::optional<std::string>> second_pages;  // cursors of each category's first page
  for (int c = 0; c < 10; ++c) {
    RecordQuery q;
    q.category = "category-" + std::to_string(c);
    second_pages.push_back(catalog.list(q).next_cursor);
  }
  run_timed(state, [&](int i) {
    RecordQuery q;
    switch (kind) {
      case 0: break;
      case 1: q.category = "category-" + n(10); break;
      case 2: q.tags = {"tag-" + n(200)}; break;
      case 3:
        q.project_name = "project-" + n(100);
        q.order = pindeck::RecordOrder::project_row;
        break;
      case 4:
        q.source_type = static_cast<pindeck::SourceType>(std::stoi(n(4)));
        q.status = static_cast<pindeck::RecordStatus>(std::stoi(n(4)));
        break;
      case 5:
        q.moodboard_name = "board-" + n(50);
        q.originals_only = true;
        break;
      case 6:
        q.category = "category-" + std::to_string(i % 10);
        q.cursor = second_pages[static_cast<std::size_t>(i % 10)];
        break;
    }
    return catalog.list(q);
  });
}

// Full-text searches, one kind per run: a vocabulary word (about 250 matches, a few thousand
// with its prefix matches), a word and a second word's prefix, a word within a category.
void BM_CatalogSearch(benchmark::State& state, const std::string& location) {
  Catalog& catalog = full_catalog(location);
  RecordMaker words;
  const auto kind = state.range(0);
  static constexpr const char* labels[] = {"one word", "word + prefix", "word + category"};
  state.SetLabel(labels[kind]);
  run_timed(state, [&](int i) {
    RecordQuery q;
    std::string text = words.word();
    if (kind == 1) text += " " + words.word().substr(0, 3);
    if (kind == 2) q.category = "category-" + std::to_string(i % 10);
    return catalog.search(text, q);
  });
}

// 4,000 families of 25 records: a root, a chain of 12 below it, and at each level of the chain a
// second child, a leaf. Inserted a generation at a time (a child needs its parent's id).
struct LineageCatalog {
  std::unique_ptr<SqliteCatalog> catalog;
  std::vector<std::vector<std::string>> chains;  // [family][depth], depth 0 the root
};

LineageCatalog& lineage_catalog() {
  static auto dir = scratch("lineage");
  static LineageCatalog built = [] {
    constexpr int families = 4000, depth = pindeck::max_lineage_depth;
    LineageCatalog c{SqliteCatalog::open(dir / "catalog.sqlite"),
                     std::vector<std::vector<std::string>>(families)};
    RecordMaker maker;
    auto made = [&](std::optional<std::string> parent) {
      Record r = maker.next();
      r.parent_image_id = std::move(parent);
      return r;
    };
    for (int level = 0; level <= depth; ++level) {
      std::vector<Record> batch;
      for (int f = 0; f < families; ++f) {
        const auto parent = level == 0 ? std::nullopt : std::optional(c.chains[f].back());
        batch.push_back(made(parent));
        if (level > 0) batch.push_back(made(parent));
      }
      auto results = c.catalog->insert_batch(std::move(batch));
      const std::size_t step = level == 0 ? 1 : 2;
      for (int f = 0; f < families; ++f) {
        c.chains[f].push_back(results[static_cast<std::size_t>(f) * step].record.id);
      }
    }
    return c;
  }();
  return built;
}

void BM_CatalogLineage(benchmark::State& state) {
  LineageCatalog& c = lineage_catalog();
  const auto kind = state.range(0);
  static constexpr const char* labels[] = {"root from depth 12", "family from depth 12",
                                           "children of a chain record", "parent"};
  state.SetLabel(labels[kind]);
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::size_t> family(0, c.chains.size() - 1);
  std::vector<double> ms;
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto& chain = c.chains[family(rng)];
    auto start = std::chrono::steady_clock::now();
    switch (kind) {
      case 0: rows += c.catalog->root(chain.back()).id.size() > 0; break;
      case 1: rows += c.catalog->family(chain.back()).records.size(); break;
      case 2: rows += c.catalog->children(chain[chain.size() / 2], {}).records.size(); break;
      case 3: rows += c.catalog->parent(chain.back()).has_value(); break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  benchmark::DoNotOptimize(rows);
  state.counters["rows_per_query"] = static_cast<double>(rows) / static_cast<double>(ms.size());
  report_latencies(state, ms);
}
BENCHMARK(BM_CatalogLineage)
    ->DenseRange(0, 3)
    ->Iterations(1000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Counts for the sidebar, one kind of filter per run.
void BM_CatalogStats(benchmark::State& state, const std::string& location) {
  Catalog& catalog = full_catalog(location);
  const auto kind = state.range(0);
  static constexpr const char* labels[] = {"no filter", "category", "genre", "tag",
                                           "status+source"};
  state.SetLabel(labels[kind]);
  std::vector<double> ms;
  std::int64_t counted = 0;
  int i = 0;
  for (auto _ : state) {
    RecordQuery q;
    switch (kind) {
      case 0: break;
      case 1: q.category = "category-" + std::to_string(i % 10); break;
      case 2: q.genre = "genre-" + std::to_string(i % 12); break;
      case 3: q.tags = {"tag-" + std::to_string(i % 200)}; break;
      case 4:
        q.status = static_cast<pindeck::RecordStatus>(i % 4);
        q.source_type = static_cast<pindeck::SourceType>((i / 4) % 4);
        break;
    }
    ++i;
    auto start = std::chrono::steady_clock::now();
    counted += catalog.stats(q).total;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  state.counters["records_per_call"] = static_cast<double>(counted) / static_cast<double>(i);
  report_latencies(state, ms);
}
// The fill first, so that it is the one that fills the catalog.
void register_queries(const std::string& backend, const std::string& location) {
  const auto named = [&](const char* name) { return std::string(name) + "/" + backend; };
  benchmark::RegisterBenchmark(named("BM_CatalogFill").c_str(), BM_CatalogFill, location)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(named("BM_CatalogList").c_str(), BM_CatalogList, location)
      ->DenseRange(0, 6)
      ->Iterations(300)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(named("BM_CatalogSearch").c_str(), BM_CatalogSearch, location)
      ->DenseRange(0, 2)
      ->Iterations(300)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(named("BM_CatalogStats").c_str(), BM_CatalogStats, location)
      ->DenseRange(0, 4)
      ->Iterations(30)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const auto dir = scratch("query");
  register_queries("sqlite", "sqlite:" + (dir / "catalog.sqlite").string());
  if (const char* url = std::getenv("PINDECK_BENCH_PG_URL"); url != nullptr && *url != '\0') {
    register_queries("postgresql", url);
  } else {
    std::fprintf(stderr,
                 "PINDECK_BENCH_PG_URL is not set: PostgreSQL is not measured, only SQLite "
                 "(benchmarks/catalog/queries.sh starts a server and sets it)\n");
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(dir);
  return 0;
}
