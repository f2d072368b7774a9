// SPDX-License-Identifier: Apache-2.0
// Uploads one file with the pindeck S3 client and reports the process's peak resident memory, so
// run.sh can show that memory does not grow with object size (16 MiB vs 256 MiB, say).
// Usage: s3_put_peak_rss <file> <parallel parts>   (server from PINDECK_TEST_S3_ENV)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <exception>

#include "s3/client.hpp"
#include "s3_test_server.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <file> <parallel parts>\n", argv[0]);
    return 2;
  }
  try {
    pindeck::s3::Config config = pindeck::test::load_test_server().config();
    config.part_size = 8ull << 20;
    config.multipart_threshold = 8ull << 20;
    config.max_parallel_parts = std::atoi(argv[2]);
    pindeck::s3::Client client(config);
    const auto start = std::chrono::steady_clock::now();
    pindeck::s3::PutResult put = client.put_file("bench/peak-rss", argv[1]);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "size_mib=%.0f parts=%d parallel=%s seconds=%.2f mib_per_s=%.0f peak_rss_mib=%.1f\n",
        static_cast<double>(put.size) / (1 << 20), put.parts, argv[2], seconds,
        static_cast<double>(put.size) / (1 << 20) / seconds,
        static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s3_put_peak_rss: %s\n", e.what());
    return 1;
  }
}
