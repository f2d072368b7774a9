// SPDX-License-Identifier: Apache-2.0
// End-to-end ingest to an S3 server: stage, record, derive, sample the palette, upload the
// original and four derivatives, commit — for the sample images, with 1 and 2 images in flight,
// and with 1 to 8 workers. The server comes from S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY,
// S3_SECRET_KEY and S3_BUCKET (the test server's s3.env); benchmarks/compare/persist-compare.sh
// runs this next to the Node peer, benchmarks/pipeline/scaling.sh the workers on 1 to N cores.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "catalog/sqlite_catalog.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "util/env.hpp"

namespace {

// The test server's settings, from its s3.env sourced into the shell.
std::string env(const char* name) {
  return pindeck::util::env(name).value_or("");
}

std::vector<std::filesystem::path> sample_images() {
  const std::filesystem::path dir = std::filesystem::path(PINDECK_TEST_DATA) / "images";
  return {dir / "flow-5120x2880.jpg", dir / "canopee-3840x2160.png", dir / "truchet-l.webp",
          dir / "safelanding-5120x2880.jpg", dir / "volna-5120x2880.jpg"};
}

// Ingests `copies` rounds of the sample images per iteration with these settings and waits until
// every one is persisted; reports images per second over the timed part.
void persist_samples(benchmark::State& state, int max_in_flight, int cpu_threads, int max_uploading,
                     int copies) {
  if (env("S3_ENDPOINT").empty()) {
    state.SkipWithError("S3_ENDPOINT is not set (source the test server's s3.env)");
    return;
  }
  pindeck::PersistenceConfig config;
  config.s3 = pindeck::S3Settings{
      env("S3_ENDPOINT"), env("S3_REGION"), env("S3_ACCESS_KEY"), env("S3_SECRET_KEY"), "", "", ""};
  config.bucket = env("S3_BUCKET");
  config.key_prefix = "bench";
  config.max_in_flight = max_in_flight;
  config.cpu_threads = cpu_threads;
  config.max_uploading = max_uploading;
  config.poll_interval = std::chrono::milliseconds(20);
  const auto images = sample_images();
  std::int64_t persisted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto data_dir =
        std::filesystem::temp_directory_path() / ("pindeck-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(data_dir);
    std::filesystem::create_directories(data_dir);
    auto catalog = pindeck::catalog::SqliteCatalog::open(data_dir / "catalog.sqlite");
    auto persistence = std::make_unique<pindeck::pipeline::Persistence>(
        *catalog, data_dir, pindeck::pipeline::make_object_store(config, data_dir), config);
    state.ResumeTiming();

    std::vector<std::string> ids;
    for (int copy = 0; copy < copies; ++copy) {
      for (const auto& path : images) {
        pindeck::pipeline::UploadSource source;
        source.path = path;
        ids.push_back(persistence->ingest(source, {}).id);
      }
    }
    for (const auto& id : ids) {
      const auto record = persistence->wait_settled(id, std::chrono::minutes(5));
      if (record.storage_persist_status != pindeck::PersistStatus::succeeded) {
        state.SkipWithError(
            ("not persisted: " + record.storage_persist_error.value_or("?")).c_str());
        return;
      }
    }
    persisted += static_cast<std::int64_t>(ids.size());

    state.PauseTiming();
    persistence.reset();
    catalog.reset();
    std::filesystem::remove_all(data_dir);
    state.ResumeTiming();
  }
  state.counters["images_per_second"] =
      benchmark::Counter(static_cast<double>(persisted), benchmark::Counter::kIsRate);
}

// The library's defaults (a CPU thread per core) with 1 or 2 images in flight, the sample images
// once each per iteration: what persist-compare.sh sets beside the Node peer.
void BM_PersistToS3(benchmark::State& state) {
  persist_samples(state, static_cast<int>(state.range(0)), 0,
                  pindeck::PersistenceConfig{}.max_uploading, 1);
}

BENCHMARK(BM_PersistToS3)
    ->ArgName("in_flight")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

// N workers: N CPU threads and N images decoded at once, for a process given N cores (scaling.sh
// pins it with taskset), with U more images allowed to wait on their uploads (the library's
// default, or as many as decode: the rule before max_uploading); eight rounds of the samples, so
// the pipeline runs full most of the time.
void BM_PersistToS3Workers(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  persist_samples(state, workers, workers, static_cast<int>(state.range(1)), 8);
}

BENCHMARK(BM_PersistToS3Workers)
    ->ArgNames({"workers", "uploading"})
    ->Apply([](benchmark::internal::Benchmark* b) {
      for (const std::int64_t workers : {1, 2, 4, 8}) {
        const std::int64_t by_default = pindeck::PersistenceConfig{}.max_uploading;
        b->Args({workers, by_default});
        if (workers != by_default) b->Args({workers, workers});
      }
    })
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
