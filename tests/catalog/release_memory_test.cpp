// SPDX-License-Identifier: Apache-2.0
// The catalog hands back its page cache when asked (the worker pool asks once idle, DESIGN §6), so
// a host's memory returns to its idle level after a burst of records.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "catalog_fixture.hpp"

namespace pindeck::catalog {
namespace {

using pindeck::test::open_catalog;
using pindeck::test::TempDir;

TEST(CatalogMemory, ReleasingMemoryEmptiesThePageCacheABurstFilled) {
  TempDir dir;
  auto catalog = open_catalog(dir.path() / "catalog.sqlite");
  const auto before = sqlite3_memory_used();
  std::vector<Record> burst(2000);
  for (std::size_t i = 0; i < burst.size(); ++i) {
    burst[i].title = std::string("frame ").append(std::to_string(i));
    burst[i].description = std::string(400, static_cast<char>('a' + i % 26));
    burst[i].tags = {"burst", std::string("t").append(std::to_string(i % 50))};
  }
  catalog->insert_batch(burst);
  const auto filled = sqlite3_memory_used();
  ASSERT_GT(filled - before, 1 << 20) << "the burst did not fill the page cache: nothing to test";

  catalog->release_memory();
  const auto released = sqlite3_memory_used();
  EXPECT_LT(released - before, (filled - before) / 4)
      << "SQLite still holds " << released - before << " bytes more than before the burst ("
      << filled - before << " after it)";

  // The cache refills as it is used: the catalog works as before.
  RecordQuery query;
  query.tags = {"t7"};
  query.limit = 1000;
  EXPECT_EQ(catalog->list(query).records.size(), 40u);
}

}  // namespace
}  // namespace pindeck::catalog
