// SPDX-License-Identifier: Apache-2.0
// PUT throughput of a 64 MiB file to a local radosgw: the pindeck client as one PUT and as a
// multipart upload with 1 and 4 parts in flight, against the peer, libcurl's own SigV4
// (CURLOPT_AWS_SIGV4) sending the same file as one streamed PUT, in the same run.
// The server comes from the s3.env file named by PINDECK_TEST_S3_ENV (benchmarks/s3/run.sh
// starts one); the file is written to PINDECK_BENCH_DIR (default: the system temp directory).
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "s3/body.hpp"
#include "s3/client.hpp"
#include "s3_test_server.hpp"

namespace pindeck::s3 {
namespace {

constexpr std::uint64_t kObjectSize = 64ull << 20;

const test::TestServer& server() {
  static const test::TestServer s = test::load_test_server();
  return s;
}

const std::string& object_file() {
  static const std::string path = [] {
    const char* dir = std::getenv("PINDECK_BENCH_DIR");
    std::filesystem::path p =
        dir ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
    p /= "pindeck-bench-64mib.bin";
    if (!std::filesystem::exists(p) || std::filesystem::file_size(p) != kObjectSize) {
      std::ofstream out(p, std::ios::binary);
      for (unsigned chunk = 0; chunk < kObjectSize / (1u << 20); ++chunk) {
        std::string data = test::random_bytes(1u << 20, chunk);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
      }
    }
    return p.string();
  }();
  return path;
}

void put_with_pindeck(benchmark::State& state, bool multipart, int parallel_parts) {
  Config config = server().config();
  config.part_size = 8ull << 20;
  config.multipart_threshold = multipart ? config.part_size : kObjectSize + 1;
  config.max_parallel_parts = parallel_parts;
  Client client(config);
  const std::string key =
      "bench/pindeck-" + std::to_string(parallel_parts) + (multipart ? "-multipart" : "-single");
  for (auto _ : state) {
    PutResult result = client.put_file(key, object_file());
    if (result.size != kObjectSize) state.SkipWithError("short upload");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObjectSize));
}

void BM_PindeckPutSingle(benchmark::State& state) {
  put_with_pindeck(state, false, 1);
}
void BM_PindeckPutMultipart(benchmark::State& state) {
  put_with_pindeck(state, true, static_cast<int>(state.range(0)));
}

std::size_t read_file(char* buffer, std::size_t size, std::size_t count, void* file) {
  return std::fread(buffer, size, count, static_cast<FILE*>(file));
}
std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

// The peer: one easy-handle PUT signed by curl itself. curl 7.88 does not hash the body, so the
// payload hash is computed the same streamed way first (as it must be for a signed body). curl
// signs an "Expect:" removal line as a header, so the peer keeps its 100-continue round trip.
void BM_LibcurlAwsSigv4Put(benchmark::State& state) {
  const test::TestServer& s = server();
  const std::string url = s.endpoint + "/" + s.bucket + "/bench/libcurl-single";
  const std::string user = s.access_key + ":" + s.secret_key;
  const std::string sigv4 = "aws:amz:" + s.region + ":s3";
  CURL* curl = curl_easy_init();
  for (auto _ : state) {
    const std::string hash =
        sha256_hex(BodySource::from_file(File::open_for_reading(object_file())));
    FILE* file = std::fopen(object_file().c_str(), "rb");
    curl_slist* headers = curl_slist_append(nullptr, ("x-amz-content-sha256: " + hash).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(kObjectSize));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &read_file);
    curl_easy_setopt(curl, CURLOPT_READDATA, file);
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    std::fclose(file);
    if (rc != CURLE_OK || status != 200) {
      state.SkipWithError(("libcurl PUT failed: HTTP " + std::to_string(status)).c_str());
    }
  }
  curl_easy_cleanup(curl);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObjectSize));
}

BENCHMARK(BM_LibcurlAwsSigv4Put)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_PindeckPutSingle)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_PindeckPutMultipart)
    ->ArgName("parallel_parts")
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

}  // namespace
}  // namespace pindeck::s3

BENCHMARK_MAIN();
