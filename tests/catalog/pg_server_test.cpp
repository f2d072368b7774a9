// SPDX-License-Identifier: Apache-2.0
// The test PostgreSQL server (tests/postgres-server) and tests/support/pg_test_env.hpp: the URL
// the fixture writes lets the tests in, the server keeps out whoever lacks the password, and each
// key gets a database of its own.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_env.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

namespace pindeck::test {
namespace {

// The single value a query returns; fails the test when it fails.
std::string query_one(PGconn* conn, const char* sql) {
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
    return "";
  }
  return PQgetvalue(result.get(), 0, 0);
}

void run(PGconn* conn, const char* sql) {
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql), &PQclear);
  ASSERT_EQ(PQresultStatus(result.get()), PGRES_COMMAND_OK)
      << sql << ": " << PQresultErrorMessage(result.get());
}

// The password in a postgresql://user:password@host... URL.
std::string password_of(const std::string& url) {
  const auto colon = url.find(':', url.find("://") + 3);
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

std::string with_credentials(const std::string& url, const std::string& credentials) {
  const auto authority = url.find("://") + 3;
  return url.substr(0, authority) + credentials + url.substr(url.find('@'));
}

TEST(PgServer, TheUrlConnectsAsAnUnprivilegedRoleThatMayCreateDatabases) {
  const PgConnection conn = pg_connect(pg_test_url());
  EXPECT_EQ(query_one(conn.get(), "SELECT current_user"), "pindeck");
  EXPECT_EQ(query_one(conn.get(), "SELECT current_database()"), "pindeck");
  EXPECT_EQ(query_one(conn.get(),
                      "SELECT rolsuper::text || ' ' || rolcreatedb::text FROM pg_roles "
                      "WHERE rolname = current_user"),
            "false true");
  EXPECT_EQ(query_one(conn.get(), "SELECT inet_server_addr()::text"), "127.0.0.1/32");
  EXPECT_GE(std::stoi(query_one(conn.get(), "SHOW max_connections")), 200);
}

TEST(PgServer, RefusesAWrongPasswordWithoutNamingAnyPassword) {
  const std::string url = pg_test_url();
  const std::string right = password_of(url);
  ASSERT_GE(right.size(), 32u);
  const std::string wrong = "wrong" + right.substr(5);
  try {
    pg_connect(with_credentials(url, "pindeck:" + wrong));
    FAIL() << "a wrong password was accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
    EXPECT_EQ(message.find(wrong), std::string::npos) << message;
    EXPECT_EQ(message.find(right), std::string::npos) << message;
  }
}

TEST(PgServer, RefusesTheSuperuserOverTcp) {
  const std::string url = pg_test_url();
  for (const std::string& credentials : {std::string("postgres"), "postgres:" + password_of(url)}) {
    EXPECT_THROW(pg_connect(with_credentials(url, credentials)), std::runtime_error) << credentials;
  }
}

TEST(PgServer, TheSameKeyGivesTheSameDatabaseAndAnotherKeyAnother) {
  TempDir first;
  TempDir second;
  const std::string url = pg_database_for(first.path());
  {
    const PgConnection conn = pg_connect(url);
    run(conn.get(), "CREATE TABLE left_behind (n integer)");
  }
  EXPECT_EQ(pg_database_for(first.path()), url);
  const PgConnection again = pg_connect(pg_database_for(first.path()));
  EXPECT_EQ(
      query_one(again.get(), "SELECT count(*) FROM pg_tables WHERE tablename = 'left_behind'"),
      "1");

  const std::string other_url = pg_database_for(second.path());
  EXPECT_NE(other_url, url);
  const PgConnection other = pg_connect(other_url);
  EXPECT_NE(query_one(other.get(), "SELECT current_database()"),
            query_one(again.get(), "SELECT current_database()"));
  EXPECT_EQ(
      query_one(other.get(), "SELECT count(*) FROM pg_tables WHERE tablename = 'left_behind'"),
      "0");
}

TEST(PgServer, CreatingTheSameDatabaseAtOnceFromManyThreadsSucceedsEverywhere) {
  TempDir key;
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<std::string> urls(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::jthread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        urls[i] = pg_database_for(key.path());
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  threads.clear();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], "") << "thread " << i;
    EXPECT_EQ(urls[i], urls[0]) << "thread " << i;
  }
}

TEST(PgServer, WithoutTheFixtureTheErrorSaysWhatIsMissing) {
  ScopedEnv env;
  env.unset("PINDECK_TEST_PG_ENV");
  try {
    pg_test_url();
    FAIL() << "no error without PINDECK_TEST_PG_ENV";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("PINDECK_TEST_PG_ENV is not set"), std::string::npos)
        << e.what();
  }
  TempDir dir;
  const std::string missing = (dir.path() / "pg.env").string();
  env.set("PINDECK_TEST_PG_ENV", missing.c_str());
  try {
    pg_test_url();
    FAIL() << "no error for a settings file that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pindeck::test
