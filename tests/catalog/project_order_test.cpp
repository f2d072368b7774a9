// SPDX-License-Identifier: Apache-2.0
// Ordering a project row (Client::set_project_order): projectOrder becomes the 0-based index in
// the list, the project's other records follow, list() by project row returns that order, and a
// list with one bad id changes nothing.
#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>

#include "expect_error.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using test::expect_error;

class ProjectOrderTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path());

  Record add(const std::string& title, std::optional<std::string> project,
             std::optional<std::int64_t> order) {
    Record r;
    r.title = title;
    r.project_name = std::move(project);
    r.project_order = order;
    return client.create(r);
  }

  // The project's whole row, paged two at a time.
  std::vector<std::string> row(const std::string& project) {
    RecordQuery q;
    q.project_name = project;
    q.order = RecordOrder::project_row;
    q.limit = 2;
    std::vector<std::string> ids;
    for (;;) {
      auto page = client.list(q);
      for (const auto& r : page.records) ids.push_back(r.id);
      if (!page.next_cursor) return ids;
      q.cursor = page.next_cursor;
    }
  }

  // Every record of the catalog as stored, to compare before and after a refused call.
  std::vector<Record> everything() {
    RecordQuery q;
    q.limit = 1000;
    return client.list(q).records;
  }

  // Before any ordering: a (5), b (unset), c (1), d (unset): row c, a, then b and d by title.
  Record a = add("a", "film", 5);
  Record b = add("b", "film", std::nullopt);
  Record c = add("c", "film", 1);
  Record d = add("d", "film", std::nullopt);
  Record elsewhere = add("e", "other film", 0);
  Record loose = add("f", std::nullopt, std::nullopt);
};

TEST_F(ProjectOrderTest, TheWholeRowTakesTheGivenOrderFromZero) {
  ASSERT_EQ(row("film"), (std::vector<std::string>{c.id, a.id, b.id, d.id}));
  EXPECT_EQ(client.set_project_order("film", {d.id, b.id, a.id, c.id}), 4u);
  EXPECT_EQ(row("film"), (std::vector<std::string>{d.id, b.id, a.id, c.id}));
  EXPECT_EQ(client.get(d.id).project_order, 0);
  EXPECT_EQ(client.get(b.id).project_order, 1);
  EXPECT_EQ(client.get(a.id).project_order, 2);
  EXPECT_EQ(client.get(c.id).project_order, 3);
  EXPECT_EQ(client.get(elsewhere.id), elsewhere);
  // The same order again changes nothing.
  EXPECT_EQ(client.set_project_order("film", {d.id, b.id, a.id, c.id}), 0u);
}

TEST_F(ProjectOrderTest, RecordsNotNamedFollowInTheirFormerOrder) {
  // Former row: c, a, b, d. Naming d and b puts them first; c and a follow, renumbered 2 and 3.
  EXPECT_EQ(client.set_project_order("film", {d.id, b.id}), 4u);
  EXPECT_EQ(row("film"), (std::vector<std::string>{d.id, b.id, c.id, a.id}));
  EXPECT_EQ(client.get(c.id).project_order, 2);
  EXPECT_EQ(client.get(a.id).project_order, 3);
}

TEST_F(ProjectOrderTest, OneBadIdRefusesTheWholeListNamingItAndChangesNothing) {
  const auto before = everything();
  expect_error(
      [&] {
        client.set_project_order("film", {d.id, "0000000000000nope", b.id});
      },
      Errc::not_found, "\"0000000000000nope\"");
  expect_error(
      [&] {
        client.set_project_order("film", {d.id, elsewhere.id, b.id});
      },
      Errc::invalid, std::string("not in project \"film\": \"").append(elsewhere.id));
  expect_error(
      [&] {
        client.set_project_order("film", {d.id, loose.id});
      },
      Errc::invalid, loose.id);
  expect_error(
      [&] {
        client.set_project_order("film", {d.id, b.id, d.id});
      },
      Errc::invalid, std::string("named more than once: \"").append(d.id));
  expect_error([&] { client.set_project_order("film", {}); }, Errc::invalid, "ids");
  expect_error([&] { client.set_project_order("", {d.id}); }, Errc::invalid, "projectName");
  expect_error([&] { client.set_project_order("no such film", {d.id}); }, Errc::invalid,
               "not in project \"no such film\"");
  const std::vector<std::string> too_many(max_project_order_ids + 1, d.id);
  expect_error([&] { client.set_project_order("film", too_many); }, Errc::invalid, "at most");
  EXPECT_EQ(everything(), before);
}

TEST_F(ProjectOrderTest, TheAsynchronousFormOrdersTheRow) {
  auto done = async_set_project_order(client, "film", {b.id, a.id}, boost::asio::use_future);
  EXPECT_EQ(done.get(), 4u);
  EXPECT_EQ(row("film"), (std::vector<std::string>{b.id, a.id, c.id, d.id}));
  auto refused =
      async_set_project_order(client, "film", {b.id, elsewhere.id}, boost::asio::use_future);
  expect_error([&] { refused.get(); }, Errc::invalid, elsewhere.id);
}

}  // namespace
}  // namespace pindeck
