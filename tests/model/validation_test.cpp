// SPDX-License-Identifier: Apache-2.0
// The value rules of a record, on records made in C++.
#include <gtest/gtest.h>

#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {
namespace {

std::string refusal(const Record& r) {
  try {
    validate(r);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    return e.what();
  }
  return "";
}

TEST(Validation, ADefaultRecordIsValid) {
  EXPECT_EQ(refusal(Record{}), "");
}

TEST(Validation, TitleLengthIsCountedInCharactersNotBytes) {
  Record r;
  r.title.clear();
  for (int i = 0; i < 300; ++i) r.title += "é";  // 600 bytes, 300 characters
  EXPECT_EQ(refusal(r), "");
  r.title += "x";
  EXPECT_EQ(refusal(r), "title: must be at most 300 characters (got 301)");
  r.title = "";
  EXPECT_EQ(refusal(r), "title: must not be empty");
}

TEST(Validation, ColoursMustBeLowercaseHexAndAtMostFive) {
  Record r;
  r.colors = std::vector<std::string>{"#00aaff", "#ABCDEF"};
  EXPECT_EQ(refusal(r), "colors[1]: \"#ABCDEF\" is not a lowercase #rrggbb colour");
  r.colors = std::vector<std::string>{"#00aaf"};
  EXPECT_EQ(refusal(r), "colors[0]: \"#00aaf\" is not a lowercase #rrggbb colour");
  r.colors = std::vector<std::string>{"00aaff0"};
  EXPECT_NE(refusal(r), "");
  r.colors = std::vector<std::string>(6, "#000000");
  EXPECT_EQ(refusal(r), "colors: at most 5 colours are allowed (got 6)");
  r.colors = std::vector<std::string>(5, "#0f0f0f");
  EXPECT_EQ(refusal(r), "");
}

TEST(Validation, EmptyTagsAndNegativeNumbersAreRefused) {
  Record r;
  r.tags = {"ok", ""};
  EXPECT_EQ(refusal(r), "tags[1]: must not be an empty string");
  r.tags = {};
  r.byte_size = -1;
  EXPECT_EQ(refusal(r), "byteSize: must not be negative (got -1)");
  r.byte_size = 0;
  r.project_order = -3;
  EXPECT_EQ(refusal(r), "projectOrder: must not be negative (got -3)");
}

TEST(Validation, Sha256MustBeLowercaseHex) {
  Record r;
  r.sha256 = std::string(64, 'A');
  EXPECT_EQ(refusal(r), "sha256: must be 64 lowercase hexadecimal digits");
  r.sha256 = std::string(63, 'a');
  EXPECT_EQ(refusal(r), "sha256: must be 64 lowercase hexadecimal digits");
}

TEST(Validation, RepeatedTagsAreDroppedKeepingTheFirst) {
  Record r;
  r.tags = {"b", "a", "b", "c", "a"};
  drop_repeated_tags(r);
  EXPECT_EQ(r.tags, (std::vector<std::string>{"b", "a", "c"}));
}

TEST(Validation, PindeckLabelsAreOneLineAndAtMost100Characters) {
  for (auto member : {&Record::genre, &Record::style, &Record::shot}) {
    Record r;
    r.*member = std::string(100, 'a');
    EXPECT_EQ(refusal(r), "");
    r.*member = std::string(101, 'a');
    EXPECT_NE(refusal(r).find(": must be at most 100 characters (got 101)"), std::string::npos);
    r.*member =
        "a\x1f"
        "b";
    EXPECT_NE(refusal(r).find(": contains the control character U+001F at character 1"),
              std::string::npos);
    r.*member = "";
    EXPECT_NE(refusal(r).find(": must not be empty when given"), std::string::npos);
  }
  Record r;
  r.shot = "OTS\n";
  EXPECT_EQ(refusal(r).substr(0, 6), "shot: ");
}

TEST(Validation, CountersAreNonNegativeAndAVariationTypeNeedsAParent) {
  Record r;
  r.likes = -1;
  EXPECT_EQ(refusal(r), "likes: must not be negative (got -1)");
  r.likes = limits::count;
  r.views = limits::count + 1;
  EXPECT_EQ(refusal(r), "views: must be at most 9007199254740991 (got 9007199254740992)");
  r.views = 0;
  r.variation_type = VariationType::style;
  EXPECT_EQ(refusal(r), "variationType: is only for a variation: set parentImageId too");
  r.parent_image_id = "00000000000000001";
  EXPECT_EQ(refusal(r), "");
}

}  // namespace
}  // namespace pindeck::model
