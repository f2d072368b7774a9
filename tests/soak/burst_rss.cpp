// SPDX-License-Identifier: Apache-2.0
// pindeck_burst_rss: does a libpindeck process give memory back after a burst? It measures the
// resident size (RSS) of an idle host that has processed a few images, uploads a burst of images
// (1,000 by default) and waits until every one is persisted, then measures the idle RSS again.
// Exit status 0 when it came back within the allowed growth (10% by default), 1 when not, 2 when
// it could not run. The process uses the system allocator (glibc malloc unless preloaded).
//
// Persists to the embedded local object store, or with --s3 to the test S3 server named by
// PINDECK_TEST_S3_ENV. scripts/soak.sh --burst runs it.
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "image_pool.hpp"
#include "pindeck/client.hpp"
#include "process_stats.hpp"
#include "s3_test_env.hpp"

namespace pindeck::soak {
namespace {

using test::mib;
using test::resident_kib;
using test::status_field;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* usage = R"(usage: pindeck_burst_rss [options]
  --images N      images in the burst (default 1000)
  --work DIR      data directory and generated images (default: a new one under /tmp)
  --s3            persist to the test S3 server (PINDECK_TEST_S3_ENV) instead of the local store
  --growth X      allowed growth of idle RSS after the burst (default 0.10)
)";

void upload_and_wait(Client& client, const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> ids;
  ids.reserve(paths.size());
  for (const auto& path : paths) ids.push_back(client.upload_file(path).id);
  for (const auto& id : ids) {
    const Record record = client.wait_persisted(id, 10min);
    if (record.storage_persist_status != PersistStatus::succeeded) {
      throw std::runtime_error("record " + id + " did not persist: " +
                               record.storage_persist_error.value_or("still pending"));
    }
  }
}

void print_resident(const char* when, long rss) {
  std::printf("  %-34s %7.1f MiB (anonymous %.1f, files %.1f; %ld threads)\n", when, mib(rss),
              mib(status_field("RssAnon")), mib(status_field("RssFile")), status_field("Threads"));
}

// What glibc's malloc holds: bytes in use and free in its arenas, and in mmapped chunks. Free
// bytes count whether or not a trim handed their pages back (then they are not resident).
void print_allocator_state() {
#if defined(__GLIBC__)
  const struct mallinfo2 info = mallinfo2();
  std::printf(
      "  %-34s %.1f MiB in use, %.1f MiB free in arenas (resident or not), %.1f MiB mmapped\n",
      "malloc:", static_cast<double>(info.uordblks) / (1 << 20),
      static_cast<double>(info.fordblks) / (1 << 20), static_cast<double>(info.hblkhd) / (1 << 20));
#endif
}

// Bytes of the catalog's files (database, WAL, shared-memory index), in KiB.
long catalog_kib(const std::filesystem::path& data_dir) {
  std::uintmax_t bytes = 0;
  for (const char* name : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(data_dir / name, ec);
    if (!ec) bytes += size;
  }
  return static_cast<long>(bytes / 1024);
}

// RSS after `idle` without work.
long idle_rss(std::chrono::seconds idle) {
  std::this_thread::sleep_for(idle);
  return resident_kib();
}

int run(int images, const std::filesystem::path& work, bool s3, double growth) {
  std::mt19937 random(42);
  const ImagePool pool(work / "images", 40, 42);
  Client client = Client::open(work / "data");
  PersistenceConfig config;
  if (s3) {
    const auto server = test::load_s3_test_server();
    config.s3 = server.settings;
    config.bucket = server.bucket;
    config.key_prefix = "burst-" + std::to_string(::getpid());
  }
  client.start_persistence(config);
  std::printf("burst: %d images, persisted to %s\n", images, s3 ? "S3" : "the local store");
  print_resident("RSS after start:", resident_kib());

  // Warm: every kind of image once (each format's code paged in, thread pools started).
  upload_and_wait(client, pool.all());
  const long idle_before = idle_rss(5s);
  const long catalog_before = catalog_kib(work / "data");
  print_resident("idle RSS after one of each image:", idle_before);
  print_allocator_state();

  std::vector<std::filesystem::path> burst;
  for (int i = 0; i < images; ++i) burst.push_back(pool.pick(random, 0.02));
  const auto start = Clock::now();
  upload_and_wait(client, burst);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("  burst persisted in %.0f s (%.1f images/s); peak RSS %.1f MiB\n", seconds,
              images / seconds, mib(status_field("VmHWM")));
  print_resident("RSS right after the burst:", resident_kib());
  long idle_after = 0;
  int slept = 0;
  for (const int s : {1, 5, 10, 30}) {
    idle_after = idle_rss(std::chrono::seconds(s - slept));
    slept = s;
    print_resident(("idle RSS " + std::to_string(s) + " s after the burst:").c_str(), idle_after);
  }
  print_allocator_state();
  // The catalog now holds `images` more records, and SQLite maps its file: part of the growth is
  // stored data (shown, not allowed for: the catalog releases its page cache when idle).
  const long catalog_growth = catalog_kib(work / "data") - catalog_before;
  const double ratio = static_cast<double>(idle_after) / static_cast<double>(idle_before);
  const double allowed_kib = static_cast<double>(idle_before) * (1 + growth);
  const bool ok = static_cast<double>(idle_after) <= allowed_kib;
  std::printf("  idle after / idle before: %.3f; catalog grew by %.1f MiB\n", ratio,
              mib(catalog_growth));
  std::printf("  allowed: idle before x %.2f = %.1f MiB: %s\n", 1 + growth, allowed_kib / 1024,
              ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace pindeck::soak

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when piped to a file
  int images = 1000;
  std::filesystem::path work;
  bool s3 = false;
  double growth = 0.10;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
        return argv[++i];
      };
      if (arg == "--images") {
        images = std::stoi(value());
      } else if (arg == "--work") {
        work = value();
      } else if (arg == "--s3") {
        s3 = true;
      } else if (arg == "--growth") {
        growth = std::stod(value());
      } else if (arg == "--help" || arg == "-h") {
        std::cout << pindeck::soak::usage;
        return 0;
      } else {
        throw std::invalid_argument("unknown option " + arg);
      }
    }
    if (images < 1) throw std::invalid_argument("--images must be at least 1");
  } catch (const std::exception& e) {
    std::cerr << "pindeck_burst_rss: " << e.what() << "\n" << pindeck::soak::usage;
    return 2;
  }
  try {
    if (work.empty()) {
      char pattern[] = "/tmp/pindeck-burst-XXXXXX";
      if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
      work = pattern;
    }
    return pindeck::soak::run(images, work, s3, growth);
  } catch (const std::exception& e) {
    std::cerr << "pindeck_burst_rss: " << e.what() << "\n";
    return 2;
  }
}
