// SPDX-License-Identifier: Apache-2.0
// The cost of one cheap C ABI call, pd_record_get on a catalog of one record: what the handle
// check every call makes (PD_ERR_MISUSE for a closed client) must not measurably add to.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "pindeck/pindeck.h"

namespace {

// A client on a fresh data directory holding one record, removed when the benchmark ends.
class OneRecordClient {
 public:
  OneRecordClient() {
    dir_ = std::filesystem::temp_directory_path() /
           ("pindeck-capi-bench-" + std::to_string(std::random_device{}()));
    if (pd_client_open(dir_.c_str(), &client_) != PD_OK) throw std::runtime_error(pd_last_error());
    char* created = nullptr;
    if (pd_record_create(client_, R"({"title": "benchmark"})", &created) != PD_OK) {
      throw std::runtime_error(pd_last_error());
    }
    const std::string json = created;
    pd_string_free(created);
    const auto start = json.find(R"("id":")") + 6;
    id_ = json.substr(start, json.find('"', start) - start);
  }
  ~OneRecordClient() {
    pd_client_close(client_);
    std::filesystem::remove_all(dir_);
  }
  OneRecordClient(const OneRecordClient&) = delete;
  OneRecordClient& operator=(const OneRecordClient&) = delete;

  pd_client* client() const { return client_; }
  const std::string& id() const { return id_; }

 private:
  std::filesystem::path dir_;
  pd_client* client_ = nullptr;
  std::string id_;
};

void BM_RecordGet(benchmark::State& state) {
  const OneRecordClient fixture;
  for (auto _ : state) {
    char* json = nullptr;
    if (pd_record_get(fixture.client(), fixture.id().c_str(), &json) != PD_OK) {
      state.SkipWithError(pd_last_error());
      break;
    }
    benchmark::DoNotOptimize(json);
    pd_string_free(json);
  }
}
BENCHMARK(BM_RecordGet)->Repetitions(5)->ReportAggregatesOnly(true);

// The cheapest call that reaches a client: refused for a NULL argument before any catalog work,
// so the handle check is a large share of what it costs.
void BM_RecordGetRefused(benchmark::State& state) {
  const OneRecordClient fixture;
  for (auto _ : state) {
    char* json = nullptr;
    benchmark::DoNotOptimize(pd_record_get(fixture.client(), nullptr, &json));
  }
}
BENCHMARK(BM_RecordGetRefused)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
