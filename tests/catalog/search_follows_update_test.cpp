// SPDX-License-Identifier: Apache-2.0
// Metadata edits follow: after Client::update changes title, description, tags, sref, group,
// project and moodboard, full-text search finds the record by the new words and no longer by the
// old ones, and the tag, group, project and moodboard filters follow too.
#include <gtest/gtest.h>

#include "pindeck/client.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

class SearchFollowsUpdate : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path());

  std::vector<std::string> found(const std::string& text, RecordQuery q = {}) {
    std::vector<std::string> ids;
    for (const auto& r : client.search(text, q).records) ids.push_back(r.id);
    return ids;
  }
  std::vector<std::string> listed(const RecordQuery& q) {
    std::vector<std::string> ids;
    for (const auto& r : client.list(q).records) ids.push_back(r.id);
    return ids;
  }

  Record edited = [this] {
    Record r;
    r.title = "amber lighthouse";
    r.description = "foggy harbour at dawn";
    r.tags = {"seascape", "night"};
    r.sref = "--sref 1111";
    r.group = "coast";
    r.project_name = "harbour film";
    r.moodboard_name = "blue hour";
    return client.create(r);
  }();
  // A bystander sharing no word with either version: it must never be found by them.
  Record other = [this] {
    Record r;
    r.title = "desert road";
    r.tags = {"dunes"};
    r.group = "inland";
    return client.create(r);
  }();
};

using Ids = std::vector<std::string>;

TEST_F(SearchFollowsUpdate, EveryIndexedFieldFollowsAnUpdate) {
  for (const char* old_word : {"lighthouse", "foggy", "seascape", "1111"}) {
    ASSERT_EQ(found(old_word), Ids{edited.id}) << old_word;
  }
  client.update(edited.id, R"({"title": "crimson windmill", "description": "misty polder at noon",
                               "tags": ["farmland", "day"], "sref": "--sref 2222"})");
  for (const char* old_word :
       {"amber", "lighthouse", "foggy", "harbour", "dawn", "seascape", "night", "1111"}) {
    EXPECT_EQ(found(old_word), Ids{}) << old_word;
  }
  for (const char* new_word :
       {"crimson", "windmill", "misty", "polder", "noon", "farmland", "day", "2222"}) {
    EXPECT_EQ(found(new_word), Ids{edited.id}) << new_word;
  }
  EXPECT_EQ(found("crimson polder farmland"), Ids{edited.id});
  EXPECT_EQ(found("wind"), Ids{edited.id});  // the last word as a prefix
  EXPECT_EQ(found("desert"), Ids{other.id});
}

TEST_F(SearchFollowsUpdate, AnUnsetFieldIsNoLongerFound) {
  client.update(edited.id, R"({"description": null, "sref": null})");
  EXPECT_EQ(found("foggy"), Ids{});
  EXPECT_EQ(found("1111"), Ids{});
  EXPECT_EQ(found("lighthouse"), Ids{edited.id});
}

TEST_F(SearchFollowsUpdate, TagGroupProjectAndMoodboardFiltersFollow) {
  client.update(edited.id, R"({"tags": ["farmland"], "group": "fields",
                               "projectName": "polder film", "moodboardName": "noon light"})");
  RecordQuery q;
  q.tags = {"seascape"};
  EXPECT_EQ(listed(q), Ids{});
  q.tags = {"farmland"};
  EXPECT_EQ(listed(q), Ids{edited.id});
  EXPECT_EQ(found("lighthouse", q), Ids{edited.id});
  q = {};
  q.group = "coast";
  EXPECT_EQ(listed(q), Ids{});
  q.group = "fields";
  EXPECT_EQ(listed(q), Ids{edited.id});
  q = {};
  q.project_name = "harbour film";
  EXPECT_EQ(listed(q), Ids{});
  q.order = RecordOrder::project_row;
  EXPECT_EQ(listed(q), Ids{});
  q.project_name = "polder film";
  EXPECT_EQ(listed(q), Ids{edited.id});
  q = {};
  q.moodboard_name = "blue hour";
  EXPECT_EQ(listed(q), Ids{});
  q.moodboard_name = "noon light";
  EXPECT_EQ(listed(q), Ids{edited.id});
  EXPECT_EQ(found("lighthouse", q), Ids{edited.id});
  // Unset group, project and moodboard: no filter on the new values finds it either.
  client.update(edited.id, R"({"group": null, "projectName": null, "moodboardName": null})");
  for (auto set : {+[](RecordQuery& r) { r.group = "fields"; },
                   +[](RecordQuery& r) { r.project_name = "polder film"; },
                   +[](RecordQuery& r) { r.moodboard_name = "noon light"; }}) {
    RecordQuery filter;
    set(filter);
    EXPECT_EQ(listed(filter), Ids{});
  }
  EXPECT_EQ(listed({}).size(), 2u);
}

}  // namespace
}  // namespace pindeck
