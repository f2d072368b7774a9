// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL server the tests run against: the CTest fixture pg_server
// (tests/postgres-server/start-postgres.sh) writes its URL to the shell file named by
// PINDECK_TEST_PG_ENV (`export PINDECK_TEST_PG_URL=value`, the value quoted by bash's printf %q).
// This reads that URL and gives each test a database of its own, named after a key (a test's
// temporary directory), so that reopening the same directory reopens the same database.
#pragma once

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3_test_server.hpp"
#include "util/sha256.hpp"

namespace pindeck::test {

// Throws with a message saying what is missing when there is no server to test against.
inline std::string pg_test_url() {
  const char* path = std::getenv("PINDECK_TEST_PG_ENV");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error(
        "PINDECK_TEST_PG_ENV is not set: run PostgreSQL tests through ctest (pindeck_add_gtest "
        "with "
        "PG), whose fixture pg_server starts the server, or point it at the pg.env of "
        "tests/postgres-server/start-postgres.sh");
  }
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error(std::string("cannot read the test PostgreSQL server's settings ") +
                             path + " (is the pg_server fixture running?)");
  }
  const std::string prefix = "export PINDECK_TEST_PG_URL=";
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) return unquote_shell(line.substr(prefix.size()));
  }
  throw std::runtime_error(std::string(path) + " does not set PINDECK_TEST_PG_URL");
}

using PgConnection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// Throws when the server refuses; libpq's messages never carry the password.
inline PgConnection pg_connect(const std::string& url) {
  const char* keywords[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), "10", nullptr};
  PgConnection conn(PQconnectdbParams(keywords, values, 1), &PQfinish);
  if (conn == nullptr) throw std::runtime_error("libpq could not allocate a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("cannot connect to the test PostgreSQL server: ") +
                             PQerrorMessage(conn.get()));
  }
  return conn;
}

// `url` (as start-postgres.sh writes it: postgresql://user:password@host:port/database) naming
// `database` instead; a query string is kept.
inline std::string pg_url_with_database(const std::string& url, const std::string& database) {
  const auto authority = url.find("://");
  const auto path = authority == std::string::npos ? authority : url.find('/', authority + 3);
  if (path == std::string::npos) {
    throw std::runtime_error("the test PostgreSQL URL does not name a database");
  }
  return url.substr(0, path + 1) + database + url.substr(std::min(url.find('?', path), url.size()));
}

// The names of the databases this process created, for pg_drop_databases_made.
inline std::vector<std::string>& pg_databases_made() {
  static std::vector<std::string> names;
  return names;
}
inline std::mutex& pg_databases_made_mutex() {
  static std::mutex mutex;
  return mutex;
}

// The URL of a database of its own for `key`, created on the first call for that key. Safe to call
// from several threads and processes at once for the same key.
inline std::string pg_database_for(const std::filesystem::path& key) {
  // Hex digits only, so the name needs no quoting; 64 bits make collisions between the keys of
  // one test run negligible.
  const std::string name = "pindeck_test_" + util::sha256_hex(key.string()).substr(0, 16);
  const std::string url = pg_test_url();
  const PgConnection conn = pg_connect(url);
  // template0 rather than the default template1: nobody can connect to template0, so a
  // connection there can never make CREATE DATABASE fail with "being accessed by other users".
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexec(conn.get(), ("CREATE DATABASE " + name + " TEMPLATE template0").c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    const char* sqlstate = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    const std::string state = sqlstate == nullptr ? "" : sqlstate;
    // 42P04 duplicate_database: it exists already. 23505 unique_violation: another session
    // created it between this one's check for the name and its insert into pg_database.
    if (state != "42P04" && state != "23505") {
      throw std::runtime_error("cannot create the test database " + name + ": " +
                               PQresultErrorMessage(result.get()));
    }
  } else {
    std::lock_guard lock(pg_databases_made_mutex());
    pg_databases_made().push_back(name);
  }
  return pg_url_with_database(url, name);
}

// Drops the databases this process created (a test's, once it has ended), closing what is still
// connected to them (a child process it left, say): each holds about 8 MB, and a run on PostgreSQL
// makes hundreds.
inline void pg_drop_databases_made() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(pg_databases_made_mutex());
    names.swap(pg_databases_made());
  }
  if (names.empty()) return;
  const PgConnection conn = pg_connect(pg_test_url());
  for (const auto& name : names) {
    PQclear(PQexec(conn.get(), ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
  }
}

}  // namespace pindeck::test
