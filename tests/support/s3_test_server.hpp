// SPDX-License-Identifier: Apache-2.0
// The S3 server the tests run against: the CTest fixture starts radosgw and writes its endpoint and
// credentials to the shell file named by PINDECK_TEST_S3_ENV (lines `export NAME=value`, values
// quoted by bash's printf %q). This reads that file and makes client configurations from it.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

#include "s3/config.hpp"

namespace pindeck::test {

// Undoes bash's printf %q for the plain forms it produces: backslash escapes, '...' and $'...'.
inline std::string unquote_shell(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      out += text[++i];
    } else if (c == '\'') {
      std::size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) throw std::runtime_error("unterminated quote in: " + text);
      out += text.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '\'') {
      for (i += 2; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
          out += text[i];
          continue;
        }
        char e = text[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
    } else {
      out += c;
    }
  }
  return out;
}

struct TestServer {
  std::string endpoint;
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::string bucket;

  // A client configuration for this server, with short timeouts so failing tests fail fast.
  s3::Config config() const {
    s3::Config c;
    c.endpoint = endpoint;
    c.region = region;
    c.credentials = {access_key, secret_key, ""};
    c.bucket = bucket;
    c.connect_timeout = std::chrono::seconds(5);
    c.low_speed_time = std::chrono::seconds(10);
    c.retry.base_delay = std::chrono::milliseconds(20);
    c.retry.max_delay = std::chrono::milliseconds(200);
    c.retry.total_time = std::chrono::seconds(30);
    return c;
  }
};

// Throws with a message saying what is missing when there is no server to test against.
inline TestServer load_test_server() {
  const char* path = std::getenv("PINDECK_TEST_S3_ENV");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error(
        "PINDECK_TEST_S3_ENV is not set: run S3 tests through ctest, whose fixture starts the "
        "server, or point it at the s3.env of tests/s3-server/start-rgw.sh");
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot read S3 server settings ") + path);
  std::map<std::string, std::string> vars;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("export ")) line.erase(0, 7);
    std::size_t eq = line.find('=');
    if (eq == std::string::npos || line.starts_with("#")) continue;
    std::string value = line.substr(eq + 1);
    if (value.find('$') == 0 && value.find("$'") != 0) continue;  // a reference to another var
    vars[line.substr(0, eq)] = unquote_shell(value);
  }
  TestServer server{vars["S3_ENDPOINT"], vars["S3_REGION"], vars["S3_ACCESS_KEY"],
                    vars["S3_SECRET_KEY"], vars["S3_BUCKET"]};
  if (server.endpoint.empty() || server.access_key.empty() || server.secret_key.empty() ||
      server.bucket.empty()) {
    throw std::runtime_error(std::string("S3 server settings in ") + path +
                             " lack S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY or S3_BUCKET");
  }
  return server;
}

// A key prefix no other test (or earlier run against the same server) uses.
inline std::string unique_prefix(const std::string& test_name) {
  std::random_device random;
  return "test/" + test_name + "-" + std::to_string(random() % 1000000000) + "/";
}

// Deterministic pseudo-random bytes (incompressible, so transfers are real).
inline std::string random_bytes(std::size_t n, unsigned seed = 1) {
  std::mt19937_64 random(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = random();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

}  // namespace pindeck::test
