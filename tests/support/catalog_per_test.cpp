// SPDX-License-Identifier: Apache-2.0
// Linked into every GoogleTest program. When ctest runs a suite on PostgreSQL
// (PINDECK_TEST_CATALOG=postgresql), each test gets a database of its own on the test server, and
// PINDECK_CATALOG_URL names it before the test starts: every Client the test opens, and every
// process it starts (they inherit the environment), then shares that catalog, as the processes of
// a test share one data directory's catalog on SQLite. The databases a test made are dropped when
// it ends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "catalog_fixture.hpp"

namespace {

class CatalogPerTest : public testing::EmptyTestEventListener {
  void OnTestStart(const testing::TestInfo& test) override {
    if (!pindeck::test::testing_postgres()) return;
    const std::string key =
        std::string(test.test_suite_name()) + "." + test.name() + "." + std::to_string(::getpid());
    ::setenv("PINDECK_CATALOG_URL", pindeck::test::pg_database_for(key).c_str(), 1);
  }

  // Whatever the run: tests of the PostgreSQL backend itself make databases too.
  void OnTestEnd(const testing::TestInfo&) override { pindeck::test::pg_drop_databases_made(); }
};

const bool registered = [] {
  testing::UnitTest::GetInstance()->listeners().Append(new CatalogPerTest);
  return true;
}();

}  // namespace
