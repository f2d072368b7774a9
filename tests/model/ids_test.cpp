// SPDX-License-Identifier: Apache-2.0
// Library-assigned identifiers: shapes, time order, uniqueness.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "model/base36.hpp"
#include "model/ids.hpp"

namespace pindeck::model {
namespace {

TEST(Ids, UniqueIdHasPindecksShape) {
  std::string id = new_unique_id(1700000000123);
  EXPECT_TRUE(std::regex_match(id, std::regex("img-1700000000123-[0-9a-z]{7}"))) << id;
}

TEST(Ids, RecordIdsHaveFixedWidthAndSortByTime) {
  std::string earlier = new_record_id(1700000000000);
  std::string later = new_record_id(1700000000001);
  std::string much_later = new_record_id(4102444800000);  // 2100-01-01
  EXPECT_TRUE(std::regex_match(earlier, std::regex("[0-9a-z]{17}"))) << earlier;
  EXPECT_EQ(earlier.size(), much_later.size());
  EXPECT_LT(earlier, later);
  EXPECT_LT(later, much_later);
}

TEST(Ids, RecordIdsOfOneProcessKeepIncreasingWithinAMillisecondAndWhenTheClockStepsBack) {
  std::string previous = new_record_id(4102444800000);
  for (int i = 0; i < 60000; ++i) {  // more than the 46656 sequence numbers of one millisecond
    std::string next = new_record_id(i % 2 == 0 ? 4102444800000 : 4102444700000);
    ASSERT_LT(previous, next) << "after " << i << " ids";
    previous = next;
  }
}

TEST(Ids, RandomCharactersCoverTheWholeAlphabet) {
  std::string s = random_base36(20000);
  std::set<char> seen(s.begin(), s.end());
  EXPECT_EQ(seen.size(), 36u);
}

}  // namespace
}  // namespace pindeck::model
