// SPDX-License-Identifier: Apache-2.0
// The cost of one cheap C ABI call, pd_record_get on a catalog of one record: what the handle
// check every call makes (PD_ERR_MISUSE for a closed client) must not measurably add to. Also the
// C side of benchmarks/compare/bindings-overhead.sh: the same gets and uploads of a small image
// as the Python and Node bindings' overhead programs make.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

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

std::string read_bench_image() {
  const char* path = std::getenv("PINDECK_BENCH_IMAGE");
  if (path == nullptr) return {};
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// pd_record_get of a record as an upload leaves it once persisted (object keys, derivatives,
// palette): the record the Python and Node overhead programs get.
void BM_RecordGetPersisted(benchmark::State& state) {
  const std::string bytes = read_bench_image();
  if (bytes.empty()) {
    state.SkipWithError("PINDECK_BENCH_IMAGE names no image");
    return;
  }
  const OneRecordClient fixture;
  char* json = nullptr;
  if (pd_upload_bytes(fixture.client(), bytes.data(), bytes.size(), "small.webp", nullptr, &json) !=
      PD_OK) {
    state.SkipWithError(pd_last_error());
    return;
  }
  const std::string uploaded = json;
  pd_string_free(json);
  const auto start = uploaded.find(R"("id":")") + 6;
  const std::string id = uploaded.substr(start, uploaded.find('"', start) - start);
  if (pd_wait_persisted(fixture.client(), id.c_str(), 60000, &json) != PD_OK) {
    state.SkipWithError(pd_last_error());
    return;
  }
  pd_string_free(json);
  for (auto _ : state) {
    if (pd_record_get(fixture.client(), id.c_str(), &json) != PD_OK) {
      state.SkipWithError(pd_last_error());
      break;
    }
    benchmark::DoNotOptimize(json);
    pd_string_free(json);
  }
}
BENCHMARK(BM_RecordGetPersisted)->Iterations(10000)->Unit(benchmark::kMicrosecond);

// Times each call: a median of single calls stays put when a few of them meet a slow fsync or a
// persistence worker on the same core, where the mean of a hundred does not.
class CallTimes {
 public:
  template <typename Call>
  bool time(Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = call();
    times_.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    return ok;
  }
  // Sets the "median_us" counter bindings-overhead.sh reads.
  void report(benchmark::State& state) {
    if (times_.empty()) return;
    auto middle = times_.begin() + static_cast<std::ptrdiff_t>(times_.size() / 2);
    std::nth_element(times_.begin(), middle, times_.end());
    state.counters["median_us"] = *middle;
  }

 private:
  std::vector<double> times_;
};

// The image PINDECK_BENCH_IMAGE names (bindings-overhead.sh makes a small one) and a client
// whose persistence runs behind the uploads as the Python and Node programs start it: one image
// and one libvips thread at a time, started before the first timed call.
struct UploadBench {
  const std::string image = read_bench_image();
  const OneRecordClient fixture;

  // False, with the benchmark skipped, when there is no image or persistence does not start.
  bool ready(benchmark::State& state) const {
    if (image.empty()) {
      state.SkipWithError("PINDECK_BENCH_IMAGE names no image");
      return false;
    }
    if (pd_persistence_start(fixture.client(), R"({"cpuThreads": 1, "maxInFlight": 1})") != PD_OK) {
      state.SkipWithError(pd_last_error());
      return false;
    }
    return true;
  }
};

// Uploads: the call returns once the bytes are staged and the record stored.
void BM_UploadBytes(benchmark::State& state) {
  const UploadBench bench;
  if (!bench.ready(state)) return;
  CallTimes times;
  for (auto _ : state) {
    char* json = nullptr;
    if (!times.time([&] {
          return pd_upload_bytes(bench.fixture.client(), bench.image.data(), bench.image.size(),
                                 "small.webp", nullptr, &json) == PD_OK;
        })) {
      state.SkipWithError(pd_last_error());
      break;
    }
    pd_string_free(json);
  }
  times.report(state);
}
BENCHMARK(BM_UploadBytes)->Iterations(100)->Unit(benchmark::kMicrosecond);

// The same uploads through pd_upload_bytes_async, one at a time, each waited for: the path the
// Node binding takes (the call returns at once, a library thread stages, a callback completes).
void BM_UploadBytesAsync(benchmark::State& state) {
  const UploadBench bench;
  if (!bench.ready(state)) return;
  struct Completion {
    std::mutex mutex;
    std::condition_variable done;
    bool called = false;
    int status = PD_OK;
  };
  CallTimes times;
  for (auto _ : state) {
    Completion completion;
    const auto on_done = [](void* user, int status, const char*, const char*) {
      auto* c = static_cast<Completion*>(user);
      const std::lock_guard lock(c->mutex);
      c->status = status;
      c->called = true;
      c->done.notify_one();
    };
    const bool ok = times.time([&] {
      if (pd_upload_bytes_async(bench.fixture.client(), bench.image.data(), bench.image.size(),
                                "small.webp", nullptr, on_done, &completion) != PD_OK) {
        return false;
      }
      std::unique_lock lock(completion.mutex);
      completion.done.wait(lock, [&] { return completion.called; });
      return completion.status == PD_OK;
    });
    if (!ok) {
      state.SkipWithError("an asynchronous upload failed");
      break;
    }
  }
  times.report(state);
}
BENCHMARK(BM_UploadBytesAsync)->Iterations(100)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
