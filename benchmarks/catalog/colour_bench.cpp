// SPDX-License-Identifier: Apache-2.0
// "Colour near" (DESIGN §8) over 100,000 records of five random colours each (seeded), in a real
// SQLite catalog: p50/p95 latency of one page (50 records, newest first) of
//  - BM_ColourNear/0: the colour filter alone (a random colour each query, distance 78),
//  - BM_ColourNear/1: the colour filter and one of 10 categories,
//  - BM_ColourNear/2: the colour filter ordered by closeness.
// Peer, in the same run on the same catalog file: BM_ColourFullScan/0..2, the same queries in
// plain SQL without the prefilter: every colour row of every record read and its distance
// computed, then the same filter, order and limit.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "catalog/colour_near.hpp"
#include "catalog/sqlite_catalog.hpp"

namespace {

using pindeck::Record;
using pindeck::RecordQuery;
using pindeck::catalog::Database;
using pindeck::catalog::SqliteCatalog;

constexpr int total_records = 100'000;
constexpr int categories = 10;

std::string hex(int r, int g, int b) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
  return text;
}

SqliteCatalog& colour_catalog() {
  static auto dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("pindeck-bench-" + std::to_string(::getpid()) + "-colour");
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
  }();
  static auto catalog = [] {
    auto c = SqliteCatalog::open(dir / "catalog.sqlite");
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> channel(0, 255), category(0, categories - 1);
    for (int done = 0; done < total_records; done += 1000) {
      std::vector<Record> batch;
      for (int i = 0; i < 1000; ++i) {
        Record r;
        r.title = "image " + std::to_string(done + i);
        r.category = "category-" + std::to_string(category(rng));
        r.uploaded_at = 1700000000000 + static_cast<std::int64_t>(done + i) * 1000;
        r.colors.emplace();
        for (int k = 0; k < 5; ++k) {
          r.colors->push_back(hex(channel(rng), channel(rng), channel(rng)));
        }
        batch.push_back(std::move(r));
      }
      c->insert_batch(std::move(batch));
    }
    return c;
  }();
  return *catalog;
}

struct Probe {
  int r, g, b;
  std::string category;
};

// The same sequence of query colours and categories for the library and its peer.
std::vector<Probe> probes(int n) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> channel(0, 255), category(0, categories - 1);
  std::vector<Probe> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(
        {channel(rng), channel(rng), channel(rng), "category-" + std::to_string(category(rng))});
  }
  return out;
}

template <typename Query>
void run_timed(benchmark::State& state, Query&& query) {
  const auto all = probes(static_cast<int>(state.max_iterations));
  std::vector<double> ms;
  std::size_t rows = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    rows += query(all[i++]);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  state.counters["rows_per_query"] = static_cast<double>(rows) / static_cast<double>(ms.size());
  state.counters["p50_ms"] = at(0.50);
  state.counters["p95_ms"] = at(0.95);
  state.counters["max_ms"] = ms.back();
}

constexpr const char* labels[] = {"colour", "colour+category", "colour by closeness"};

void BM_ColourNear(benchmark::State& state) {
  SqliteCatalog& catalog = colour_catalog();
  const auto kind = state.range(0);
  state.SetLabel(labels[kind]);
  run_timed(state, [&](const Probe& p) {
    RecordQuery q;
    q.color = hex(p.r, p.g, p.b);
    if (kind == 1) q.category = p.category;
    if (kind == 2) q.order = pindeck::RecordOrder::closeness;
    return catalog.list(q).records.size();
  });
}
BENCHMARK(BM_ColourNear)
    ->DenseRange(0, 2)
    ->Iterations(200)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_ColourFullScan(benchmark::State& state) {
  SqliteCatalog& catalog = colour_catalog();
  const auto kind = state.range(0);
  state.SetLabel(labels[kind]);
  const std::int64_t limit = pindeck::catalog::distance_limit_512("distance", 78);
  // Every colour row is read (no condition on the key) and its distance computed.
  const std::string near =
      "(SELECT record_pk AS pk, MIN((1024 + ?1 + r) * (r - ?1) * (r - ?1) + 2048 * (g - ?2) * "
      "(g - ?2) + (1534 - ?1 - r) * (b - ?3) * (b - ?3)) AS dist FROM record_colors "
      "GROUP BY record_pk)";
  std::string sql;
  if (kind == 2) {
    sql = "SELECT r.doc FROM (SELECT pk, dist FROM " + near +
          " WHERE dist <= ?4 ORDER BY dist, pk LIMIT 51) AS hits JOIN records r ON r.pk = hits.pk "
          "ORDER BY hits.dist, hits.pk";
  } else {
    sql = "SELECT r.doc FROM " + near +
          " AS near JOIN records r ON r.pk = near.pk WHERE near.dist <= ?4" +
          (kind == 1 ? " AND r.category = ?5" : "") + " ORDER BY r.uploaded_at DESC LIMIT 51";
  }
  run_timed(state, [&](const Probe& p) {
    return catalog.read([&](Database& db) {
      auto stmt = db.prepare(sql);
      stmt.bind(1, std::int64_t{p.r}).bind(2, std::int64_t{p.g}).bind(3, std::int64_t{p.b});
      stmt.bind(4, limit);
      if (kind == 1) stmt.bind(5, p.category);
      std::size_t rows = 0;
      while (stmt.step()) rows += stmt.text(0).empty() ? 0 : 1;
      return std::min<std::size_t>(rows, 50);
    });
  });
}
BENCHMARK(BM_ColourFullScan)
    ->DenseRange(0, 2)
    ->Iterations(50)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
