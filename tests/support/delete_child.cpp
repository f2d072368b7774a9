// SPDX-License-Identifier: Apache-2.0
// A process that deletes records through pindeck::Client and can be killed at any moment: the
// crash tests of deletion run it as a child. It opens a data directory and starts persistence
// (S3 from the test server's env file with --s3, else the local store) with the given lease, so a
// restart takes over a killed process's jobs quickly; it deletes the ids given in one call, then
// carries out every queued removal and exits 0 once none is left (5 when some are still queued
// after a minute). With no ids it only finishes the queued removals: what a restart after a crash
// does.
//
//   delete_child DATA_DIR [--s3 ENDPOINT] [--prefix P] [--lease-ms N] [ID...]
#include <cstdio>
#include <string>
#include <vector>

#include "pindeck/client.hpp"
#include "s3_test_env.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: delete_child DATA_DIR [--s3 ENDPOINT] [--prefix P] [--lease-ms N] "
                 "[ID...]\n");
    return 2;
  }
  pindeck::PersistenceConfig config;
  config.poll_interval = std::chrono::milliseconds(100);
  std::vector<std::string> ids;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--s3" && i + 1 < argc) {
      auto server = pindeck::test::load_s3_test_server();
      server.settings.endpoint = argv[++i];
      config.s3 = server.settings;
      config.bucket = server.bucket;
    } else if (arg == "--prefix" && i + 1 < argc) {
      config.key_prefix = argv[++i];
    } else if (arg == "--lease-ms" && i + 1 < argc) {
      config.lease = std::chrono::milliseconds(std::stol(argv[++i]));
    } else {
      ids.push_back(arg);
    }
  }
  try {
    auto client = pindeck::Client::open(argv[1]);
    client.start_persistence(config);
    if (!ids.empty()) client.remove(ids);
    if (client.finish_cleanup(std::chrono::minutes(1)) != 0) return 5;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "delete_child: %s\n", e.what());
    return 1;
  }
  return 0;
}
