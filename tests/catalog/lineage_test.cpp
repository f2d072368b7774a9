// SPDX-License-Identifier: Apache-2.0
// Lineage (DESIGN §8) on a real catalog: parent, children paged newest first, root within 12
// levels and refused beyond, the family of a leaf and of a root, its bound, unknown ids; and the
// asynchronous forms.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <set>

#include "expect_error.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using test::expect_error;

std::vector<std::string> ids_of(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

class LineageTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path());

  Record add(const std::string& title, std::int64_t uploaded_at,
             std::optional<std::string> parent = std::nullopt) {
    Record r;
    r.title = title;
    r.uploaded_at = uploaded_at;
    r.parent_image_id = std::move(parent);
    return client.create(r);
  }

  // A chain of `levels` + 1 records: [0] the root, [i] the child of [i - 1].
  std::vector<Record> chain(std::size_t levels) {
    std::vector<Record> records{add("link 0", 1000)};
    for (std::size_t i = 1; i <= levels; ++i) {
      records.push_back(add(std::string("link ").append(std::to_string(i)),
                            1000 + static_cast<std::int64_t>(i), records.back().id));
    }
    return records;
  }
};

// root -> 5 children (c0..c4, two sharing a time), c0 -> 3 grandchildren, c1 -> 1; and an
// unrelated family, which must never show up.
class LineageTreeTest : public LineageTest {
 protected:
  struct Tree {
    Record root;
    std::vector<Record> children, grandchildren;
  };

  Tree make_tree() {
    Tree t{add("root", 100), {}, {}};
    const std::int64_t child_times[] = {210, 250, 230, 250, 220};
    for (int i = 0; i < 5; ++i) {
      t.children.push_back(
          add(std::string("child ").append(std::to_string(i)), child_times[i], t.root.id));
    }
    for (int i = 0; i < 3; ++i) {
      t.grandchildren.push_back(
          add(std::string("grandchild ").append(std::to_string(i)), 300 + i, t.children[0].id));
    }
    t.grandchildren.push_back(add("grandchild 3", 290, t.children[1].id));
    const Record other = add("other root", 50);
    add("other child", 260, other.id);
    return t;
  }

  Tree tree = make_tree();
};

TEST_F(LineageTreeTest, TheParentOfAVariationAndNoneForAnOriginal) {
  EXPECT_EQ(client.parent(tree.grandchildren[2].id), tree.children[0]);
  EXPECT_EQ(client.parent(tree.children[3].id), tree.root);
  EXPECT_EQ(client.parent(tree.root.id), std::nullopt);
}

TEST_F(LineageTreeTest, ChildrenPagedTwoAtATimeComeNewestFirstEachOnce) {
  // Newest first by uploadedAt; of c1 and c3 (both 250), the later insert (c3) first, as list().
  const std::vector<std::string> expected{tree.children[3].id, tree.children[1].id,
                                          tree.children[2].id, tree.children[4].id,
                                          tree.children[0].id};
  RecordQuery q;
  q.limit = 2;
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  for (;;) {
    RecordPage page = client.children(tree.root.id, q);
    sizes.push_back(page.records.size());
    for (const auto& r : page.records) seen.push_back(r.id);
    if (!page.next_cursor) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(ids_of(client.children(tree.children[0].id).records),
            (std::vector<std::string>{tree.grandchildren[2].id, tree.grandchildren[1].id,
                                      tree.grandchildren[0].id}));
  EXPECT_TRUE(client.children(tree.grandchildren[0].id).records.empty());
}

TEST_F(LineageTreeTest, ChildrenTakeTheListFiltersAndRefuseOriginalsOnly) {
  client.update(tree.children[2].id, R"({"tags": ["keep"]})");
  client.update(tree.children[4].id, R"({"tags": ["keep"]})");
  RecordQuery q;
  q.tags = {"keep"};
  EXPECT_EQ(ids_of(client.children(tree.root.id, q).records),
            (std::vector<std::string>{tree.children[2].id, tree.children[4].id}));
  q = {};
  q.originals_only = true;
  expect_error([&] { client.children(tree.root.id, q); }, Errc::invalid, "originalsOnly");
}

TEST_F(LineageTreeTest, TheRootOfEveryMemberIsTheRoot) {
  EXPECT_EQ(client.root(tree.root.id), tree.root);
  EXPECT_EQ(client.root(tree.children[4].id), tree.root);
  EXPECT_EQ(client.root(tree.grandchildren[3].id), tree.root);
}

TEST_F(LineageTreeTest, TheFamilyOfALeafAndOfTheRootIsTheWholeTreeByGeneration) {
  // Generation by generation, newest first within one (ties: the later insert first).
  const std::vector<std::string> expected{
      tree.root.id,
      tree.children[3].id,
      tree.children[1].id,
      tree.children[2].id,
      tree.children[4].id,
      tree.children[0].id,
      tree.grandchildren[2].id,
      tree.grandchildren[1].id,
      tree.grandchildren[0].id,
      tree.grandchildren[3].id,
  };
  for (const Record& member : {tree.grandchildren[1], tree.root, tree.children[4]}) {
    const Family family = client.family(member.id);
    EXPECT_EQ(family.root, tree.root);
    EXPECT_EQ(ids_of(family.records), expected) << member.title;
    EXPECT_TRUE(family.complete);
  }
}

TEST_F(LineageTreeTest, AnUnknownIdIsNotFoundNamingIt) {
  const std::string id = "0000000000000nope";
  expect_error([&] { client.parent(id); }, Errc::not_found, "\"0000000000000nope\"");
  expect_error([&] { client.children(id); }, Errc::not_found, "\"0000000000000nope\"");
  expect_error([&] { client.root(id); }, Errc::not_found, "\"0000000000000nope\"");
  expect_error([&] { client.family(id); }, Errc::not_found, "\"0000000000000nope\"");
}

TEST_F(LineageTest, TheRootTwelveLevelsUpIsFound) {
  const auto links = chain(12);
  EXPECT_EQ(client.root(links[12].id), links[0]);
  const Family family = client.family(links[12].id);
  EXPECT_EQ(ids_of(family.records), ids_of(links));
}

TEST_F(LineageTest, ARootThirteenLevelsUpIsRefusedNamingTheLimitAndTheTwelfthAncestor) {
  const auto links = chain(13);
  // links[13] is 13 levels below links[0]; 12 levels up from it is links[1].
  const std::string message = "its root is more than 12 levels up";
  expect_error([&] { client.root(links[13].id); }, Errc::conflict, message);
  expect_error([&] { client.root(links[13].id); }, Errc::conflict,
               std::string("is \"").append(links[1].id).append("\""));
  expect_error([&] { client.family(links[13].id); }, Errc::conflict, message);
  // One level nearer, the root is in reach, and its family has all 14.
  EXPECT_EQ(client.root(links[12].id), links[0]);
  EXPECT_EQ(client.family(links[12].id).records.size(), 14u);
}

TEST_F(LineageTest, AFamilyIsCutAtItsBoundKeepingTheNearestGenerations) {
  const Record root = add("root", 1);
  std::vector<Record> children;
  for (std::size_t i = 1; i < max_family_records; ++i) {
    Record r;
    r.title = "child";
    r.uploaded_at = 10 + static_cast<std::int64_t>(i);
    r.parent_image_id = root.id;
    children.push_back(r);
  }
  const auto created = client.create_batch(children);
  Family family = client.family(root.id);
  EXPECT_EQ(family.records.size(), max_family_records);
  EXPECT_TRUE(family.complete);
  add("grandchild", 5, created.front().record.id);
  family = client.family(root.id);
  EXPECT_EQ(family.records.size(), max_family_records);
  EXPECT_FALSE(family.complete);
  EXPECT_EQ(family.records.front(), root);
  // The grandchild (the farthest generation) is the one left out.
  EXPECT_TRUE(std::none_of(family.records.begin(), family.records.end(),
                           [](const Record& r) { return r.title == "grandchild"; }));
}

TEST_F(LineageTreeTest, TheAsynchronousFormsAnswerAsTheBlockingOnes) {
  EXPECT_EQ(async_parent(client, tree.children[1].id, boost::asio::use_future).get(), tree.root);
  EXPECT_EQ(async_parent(client, tree.root.id, boost::asio::use_future).get(), std::nullopt);
  EXPECT_EQ(async_root(client, tree.grandchildren[0].id, boost::asio::use_future).get(), tree.root);
  RecordQuery q;
  q.limit = 3;
  EXPECT_EQ(ids_of(async_children(client, tree.root.id, q, boost::asio::use_future).get().records),
            ids_of(client.children(tree.root.id, q).records));
  EXPECT_EQ(
      ids_of(async_family(client, tree.children[0].id, boost::asio::use_future).get().records),
      ids_of(client.family(tree.root.id).records));
  auto unknown = async_root(client, "0000000000000nope", boost::asio::use_future);
  expect_error([&] { unknown.get(); }, Errc::not_found, "0000000000000nope");
}

}  // namespace
}  // namespace pindeck
