// The test S3 server's endpoint and keys, read from the shell file the CTest fixture writes
// (named by PINDECK_TEST_S3_ENV; lines like: export S3_ENDPOINT=http://127.0.0.1:7480).
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "pindeck/persistence.hpp"

namespace pindeck::testing {

struct S3TestServer {
  S3Settings settings;
  std::string bucket;
};

inline S3TestServer load_s3_test_server() {
  const char* file = std::getenv("PINDECK_TEST_S3_ENV");
  if (file == nullptr) throw std::runtime_error("PINDECK_TEST_S3_ENV is not set");
  std::ifstream in(file);
  if (!in) throw std::runtime_error(std::string("cannot read ") + file);
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    // Undo the shell quoting of printf %q / single quotes.
    std::string plain;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\'' || value[i] == '"') continue;
      if (value[i] == '\\' && i + 1 < value.size()) ++i;
      plain.push_back(value[i]);
    }
    values[line.substr(0, eq)] = plain;
  }
  S3TestServer server;
  server.settings.endpoint = values["S3_ENDPOINT"];
  server.settings.region = values["S3_REGION"];
  server.settings.access_key = values["S3_ACCESS_KEY"];
  server.settings.secret_key = values["S3_SECRET_KEY"];
  server.bucket = values["S3_BUCKET"];
  if (server.settings.endpoint.empty() || server.bucket.empty()) {
    throw std::runtime_error(std::string("no S3_ENDPOINT / S3_BUCKET in ") + file);
  }
  return server;
}

}  // namespace pindeck::testing
