// SPDX-License-Identifier: Apache-2.0
// Verify of 1,000 persisted records (5,000 objects: a HEAD for each original, a GET for each
// preview and derivative) on an S3 server, with 4, 16 and 64 requests in flight. The records are
// made once: one image is persisted through the pipeline, its five objects are copied under the
// keys of 999 more records, and those records are created naming them. The server comes from
// S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY and S3_BUCKET (the test server's s3.env);
// benchmarks/compare/verify-compare.sh runs this next to `aws s3api head-object` in a loop, and
// writes the keys it made to VERIFY_KEYS_FILE when that is set.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "pindeck/client.hpp"
#include "pipeline/s3_object_store.hpp"
#include "util/env.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int records = 1000;

std::string env(const char* name) {
  return pindeck::util::env(name).value_or("");
}

struct Fixture {
  std::filesystem::path data_dir;
  std::optional<pindeck::Client> client;
};

pindeck::PersistenceConfig config_from_env() {
  pindeck::PersistenceConfig config;
  config.s3 = pindeck::S3Settings{
      env("S3_ENDPOINT"), env("S3_REGION"), env("S3_ACCESS_KEY"), env("S3_SECRET_KEY"), "", "", ""};
  config.bucket = env("S3_BUCKET");
  config.create_bucket = true;
  config.key_prefix = std::string("verify-bench-") + std::to_string(::getpid());
  config.poll_interval = 20ms;
  return config;
}

// The key of `key` for copy `n`: the same key with "-c<n>" before its extension.
std::string copy_key(const std::string& key, int n) {
  const auto dot = key.rfind('.');
  return key.substr(0, dot) + "-c" + std::to_string(n) + key.substr(dot);
}

Fixture& fixture() {
  static Fixture f = [] {
    Fixture made;
    made.data_dir = std::filesystem::temp_directory_path() /
                    (std::string("pindeck-verify-bench-") + std::to_string(::getpid()));
    std::filesystem::remove_all(made.data_dir);
    const auto config = config_from_env();
    made.client.emplace(pindeck::Client::open(made.data_dir));
    made.client->start_persistence(config);
    const auto image = std::filesystem::path(PINDECK_TEST_DATA) / "images" / "truchet-l.webp";
    const auto first = made.client->wait_persisted(made.client->upload_file(image).id, 120s);
    if (first.storage_persist_status != pindeck::PersistStatus::succeeded) {
      throw std::runtime_error(std::string("the first image was not persisted: ") +
                               first.storage_persist_error.value_or(""));
    }
    pindeck::pipeline::S3ObjectStore store(*config.s3, config.bucket);
    const auto& d = *first.derivative_storage_paths;
    const std::vector<std::string> keys{*first.storage_path, *first.preview_storage_path, *d.small,
                                        *d.medium, *d.large};
    std::vector<std::string> bodies;
    const auto scratch = made.data_dir / "object";
    for (const auto& key : keys) {
      store.read_to_file(key, scratch);
      std::ifstream in(scratch, std::ios::binary);
      bodies.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::vector<pindeck::Record> copies;
    std::ofstream listed(env("VERIFY_KEYS_FILE").empty() ? "/dev/null" : env("VERIFY_KEYS_FILE"));
    for (int n = 1; n < records; ++n) {
      pindeck::Record copy = first;
      copy.id.clear();
      copy.unique_id.clear();
      std::vector<std::string> named;
      for (std::size_t k = 0; k < keys.size(); ++k) {
        named.push_back(copy_key(keys[k], n));
        const auto content_type = k == 0 ? *first.content_type : std::string("image/webp");
        store.put_bytes(named.back(), std::as_bytes(std::span(bodies[k])), content_type);
        listed << named.back() << '\n';
      }
      copy.storage_path = named[0];
      copy.preview_storage_path = named[1];
      copy.derivative_storage_paths = pindeck::DerivativeSet{named[2], named[3], named[4]};
      copies.push_back(std::move(copy));
    }
    made.client->create_batch(copies);
    return made;
  }();
  return f;
}

void BM_VerifyOnS3(benchmark::State& state) {
  if (env("S3_ENDPOINT").empty()) {
    state.SkipWithError("S3_ENDPOINT is not set (source the test server's s3.env)");
    return;
  }
  Fixture& f = fixture();
  pindeck::VerifyOptions options;
  options.max_in_flight = static_cast<int>(state.range(0));
  options.restart = true;
  std::size_t objects = 0;
  for (auto _ : state) {
    const auto report = f.client->verify(options);
    if (!report.findings.empty() || report.records_checked != records) {
      state.SkipWithError("the verify found problems: the fixture is wrong");
      return;
    }
    objects += report.objects_checked;
  }
  state.counters["objects_per_second"] =
      benchmark::Counter(static_cast<double>(objects), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VerifyOnS3)
    ->ArgName("in_flight")
    ->Arg(4)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
