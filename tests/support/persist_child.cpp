// SPDX-License-Identifier: Apache-2.0
// A process that persists images and can be killed at any moment: the crash-safety and
// two-process tests run it as a child. It opens a data directory, starts the persistence engine
// (S3 from the test server's env file, or the local store), optionally ingests files, and exits 0
// once no record in the catalog is pending. Every ingest and every job outcome is appended to
// the log file with one write(2) each, so a SIGKILL never leaves half a line.
//
//   persist_child DATA_DIR LOG_FILE [--s3 ENDPOINT] [--prefix P] [--lease-ms N] [--stdin NAME]
//                 [--linger] [FILE...]
// --stdin ingests what standard input holds, as a file called NAME, before the FILEs.
// --linger waits to be killed instead of exiting once nothing is pending, for a test that kills
// it after a commit it sees from outside (it would otherwise race the child's own exit).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "catalog_fixture.hpp"
#include "pipeline/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3_test_env.hpp"

namespace {

int log_fd = -1;

void log_line(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(log_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) _exit(4);
}

const char* outcome_name(pindeck::pipeline::JobOutcome outcome) {
  switch (outcome) {
    case pindeck::pipeline::JobOutcome::succeeded: return "succeeded";
    case pindeck::pipeline::JobOutcome::failed: return "failed";
    case pindeck::pipeline::JobOutcome::retried: return "retry";
    case pindeck::pipeline::JobOutcome::released: return "dropped";
  }
  return "?";
}

bool any_pending(pindeck::catalog::Catalog& catalog) {
  pindeck::RecordQuery query;
  query.limit = 1000;
  for (;;) {
    const auto page = catalog.list(query);
    for (const auto& record : page.records) {
      if (record.storage_persist_status == pindeck::PersistStatus::pending) return true;
    }
    if (!page.next_cursor) return false;
    query.cursor = page.next_cursor;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: persist_child DATA_DIR LOG_FILE [options] [FILE...]\n");
    return 2;
  }
  const std::filesystem::path data_dir = argv[1];
  log_fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return 3;

  pindeck::PersistenceConfig config;
  config.retry_min_delay = std::chrono::milliseconds(100);
  config.retry_max_delay = std::chrono::milliseconds(400);
  config.poll_interval = std::chrono::milliseconds(100);
  config.lease = std::chrono::milliseconds(1500);
  std::vector<std::filesystem::path> files;
  std::optional<std::string> stdin_name;
  bool linger = false;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--s3" && i + 1 < argc) {
      auto server = pindeck::test::load_s3_test_server();
      server.settings.endpoint = argv[++i];
      config.s3 = server.settings;
      config.bucket = server.bucket;
    } else if (arg == "--prefix" && i + 1 < argc) {
      config.key_prefix = argv[++i];
    } else if (arg == "--stdin" && i + 1 < argc) {
      stdin_name = argv[++i];
    } else if (arg == "--linger") {
      linger = true;
    } else if (arg == "--lease-ms" && i + 1 < argc) {
      config.lease = std::chrono::milliseconds(std::stol(argv[++i]));
    } else {
      files.emplace_back(arg);
    }
  }

  try {
    std::filesystem::create_directories(data_dir);
    // The catalog the test that started it reads: the same path gives the same PostgreSQL
    // database in a run on PostgreSQL.
    auto catalog = pindeck::test::open_catalog(data_dir / "catalog.sqlite");
    pindeck::pipeline::Persistence persistence(
        *catalog, data_dir, pindeck::pipeline::make_object_store(config, data_dir), config,
        /*start_workers=*/false);
    persistence.set_job_observer([](const std::string& id, pindeck::pipeline::JobOutcome outcome) {
      log_line("job " + id + " " + outcome_name(outcome));
    });
    persistence.start_workers();
    if (stdin_name) {
      pindeck::pipeline::UploadSource source;
      source.file_name = stdin_name;
      source.reader = [](std::byte* buffer, std::size_t capacity) -> std::size_t {
        for (;;) {
          const ssize_t got = ::read(STDIN_FILENO, buffer, capacity);
          if (got >= 0) return static_cast<std::size_t>(got);
          if (errno != EINTR) throw std::runtime_error("reading standard input failed");
        }
      };
      log_line("ingested " + persistence.ingest(source, {}).id);
    }
    for (const auto& file : files) {
      pindeck::pipeline::UploadSource source;
      source.path = file;
      log_line("ingested " + persistence.ingest(source, {}).id);
    }
    while (any_pending(*catalog)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    while (linger) ::pause();
    persistence.stop_workers();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "persist_child: %s\n", e.what());
    return 1;
  }
  return 0;
}
