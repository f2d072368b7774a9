// SPDX-License-Identifier: Apache-2.0
// Client::verify against the real S3 server (radosgw on 127.0.0.1, DESIGN §6.9): the damage
// scenario of verify_scenario.hpp, under a key prefix of this test's own.
#include <gtest/gtest.h>
#include <unistd.h>

#include "pindeck/client.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"
#include "verify_scenario.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;

TEST(ClientVerifyS3, FindsAndRepairsDamageOnRadosgw) {
  test::TempDir dir;
  const auto server = test::load_s3_test_server();
  PersistenceConfig config;
  config.s3 = server.settings;
  config.bucket = server.bucket;
  config.create_bucket = true;
  config.key_prefix = std::string("verify-") + std::to_string(::getpid());
  config.poll_interval = 50ms;
  auto client = Client::open(dir.path() / "data");
  client.start_persistence(config);
  pipeline::S3ObjectStore store(*config.s3, config.bucket);
  test::run_verify_scenario(client, store, config, dir.path());
}

}  // namespace
}  // namespace pindeck
