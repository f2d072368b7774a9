// SPDX-License-Identifier: Apache-2.0
// The test S3 server (tests/support/s3_test_server.hpp) as the persistence settings expect it.
#pragma once

#include <string>

#include "pindeck/persistence.hpp"
#include "s3_test_server.hpp"

namespace pindeck::test {

struct S3TestServer {
  S3Settings settings;
  std::string bucket;
};

inline S3TestServer load_s3_test_server() {
  const auto server = load_test_server();
  S3TestServer out;
  out.settings.endpoint = server.endpoint;
  out.settings.region = server.region;
  out.settings.access_key = server.access_key;
  out.settings.secret_key = server.secret_key;
  out.bucket = server.bucket;
  return out;
}

}  // namespace pindeck::test
