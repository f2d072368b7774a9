// SPDX-License-Identifier: Apache-2.0
// Listing with filters, both orders and cursors, and full-text search.
#include <gtest/gtest.h>

#include <set>

#include "catalog/record_queries.hpp"
#include "expect_invalid.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

class QueryTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path());

  Record add(std::string title, std::int64_t uploaded_at, auto&& edit) {
    Record r;
    r.title = std::move(title);
    r.uploaded_at = uploaded_at;
    edit(r);
    return client.create(r);
  }
  Record add(std::string title, std::int64_t uploaded_at) {
    return add(std::move(title), uploaded_at, [](Record&) {});
  }
};

std::vector<std::string> titles(const RecordPage& page) {
  std::vector<std::string> out;
  for (const auto& r : page.records) out.push_back(r.title);
  return out;
}

using Titles = std::vector<std::string>;

TEST_F(QueryTest, NewestFirstWithCursorVisitsEveryRecordOnce) {
  // Ties in time. The title is appended, not "r" + ...: GCC 12 at -O3 reports a false -Wrestrict
  // inside operator+(const char*, std::string&&) here (GCC bug 105329).
  for (int i = 0; i < 120; ++i) add(std::string("r").append(std::to_string(i)), 1000 + i / 3);
  RecordQuery q;
  q.limit = 50;
  std::vector<Record> seen;
  std::vector<std::size_t> sizes;
  for (;;) {
    RecordPage page = client.list(q);
    sizes.push_back(page.records.size());
    seen.insert(seen.end(), page.records.begin(), page.records.end());
    if (!page.next_cursor) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{50, 50, 20}));
  std::set<std::string> ids;
  for (const auto& r : seen) ids.insert(r.id);
  EXPECT_EQ(ids.size(), 120u);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i - 1].uploaded_at, seen[i].uploaded_at);
    if (seen[i - 1].uploaded_at == seen[i].uploaded_at) {
      EXPECT_GT(seen[i - 1].id, seen[i].id);
    }
  }
}

TEST_F(QueryTest, ExactlyOnePageHasNoCursor) {
  for (int i = 0; i < 3; ++i) add("r", 10 + i);
  RecordQuery q;
  q.limit = 3;
  EXPECT_FALSE(client.list(q).next_cursor.has_value());
}

TEST_F(QueryTest, ProjectRowOrderIsProjectOrderThenTitleWithUnorderedLast) {
  auto in_project = [](std::optional<std::int64_t> order) {
    return [order](Record& r) {
      r.project_name = "Noir";
      r.project_order = order;
    };
  };
  add("c", 1, in_project(1));
  add("b", 2, in_project(std::nullopt));
  add("a", 3, in_project(1));
  add("z", 4, in_project(0));
  add("elsewhere", 5);
  RecordQuery q;
  q.project_name = "Noir";
  q.order = RecordOrder::project_row;
  EXPECT_EQ(titles(client.list(q)), (Titles{"z", "a", "c", "b"}));
  q.limit = 1;
  Titles paged;
  for (;;) {
    auto page = client.list(q);
    paged.push_back(page.records.at(0).title);
    if (!page.next_cursor) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(paged, (Titles{"z", "a", "c", "b"}));
}

TEST_F(QueryTest, EachFilterSelectsItsRecords) {
  add("film", 1, [](Record& r) {
    r.category = "Film";
    r.group = "Refs";
    r.moodboard_name = "Act 1";
    r.source_type = SourceType::discord;
    r.status = RecordStatus::pending;
    r.tags = {"neon", "night"};
  });
  Record parent = add("photo", 2, [](Record& r) {
    r.category = "Photo";
    r.source_type = SourceType::upload;
    r.status = RecordStatus::active;
    r.tags = {"neon"};
  });
  add("variation", 3, [&](Record& r) {
    r.category = "Photo";
    r.parent_image_id = parent.id;
    r.source_type = SourceType::ai;
  });
  auto with = [&](auto&& edit) {
    RecordQuery q;
    edit(q);
    return titles(client.list(q));
  };
  EXPECT_EQ(with([](RecordQuery& q) { q.category = "Photo"; }), (Titles{"variation", "photo"}));
  EXPECT_EQ(with([](RecordQuery& q) { q.group = "Refs"; }), Titles{"film"});
  EXPECT_EQ(with([](RecordQuery& q) { q.moodboard_name = "Act 1"; }), Titles{"film"});
  EXPECT_EQ(with([](RecordQuery& q) { q.source_type = SourceType::ai; }), Titles{"variation"});
  EXPECT_EQ(with([](RecordQuery& q) { q.status = RecordStatus::pending; }), Titles{"film"});
  EXPECT_EQ(with([](RecordQuery& q) { q.tags = {"neon"}; }), (Titles{"photo", "film"}));
  EXPECT_EQ(with([](RecordQuery& q) { q.tags = {"neon", "night"}; }), Titles{"film"});
  EXPECT_EQ(with([](RecordQuery& q) { q.originals_only = true; }), (Titles{"photo", "film"}));
  EXPECT_EQ(with([](RecordQuery& q) {
              q.category = "Photo";
              q.originals_only = true;
            }),
            Titles{"photo"});
  EXPECT_EQ(with([](RecordQuery& q) { q.category = "None"; }), Titles{});
}

TEST_F(QueryTest, BadQueriesAreRefused) {
  RecordQuery q;
  q.limit = 0;
  test::expect_invalid([&] { client.list(q); }, "limit: must be between 1 and");
  q.limit = 10;
  q.cursor = "not-a-cursor";
  test::expect_invalid([&] { client.list(q); }, "cursor: ");
  q.cursor = "WyJ0IiwxXQ==";  // base64 of ["t",1]: the wrong shape
  test::expect_invalid([&] { client.list(q); }, "cursor: ");
  test::expect_invalid([&] { client.search("   "); }, "text: the search text must contain a word");
}

TEST_F(QueryTest, ACursorOfOneOrderIsRefusedByTheOther) {
  for (int i = 0; i < 3; ++i) add("r", i + 1);
  RecordQuery q;
  q.limit = 1;
  q.cursor = client.list(q).next_cursor;
  q.order = RecordOrder::project_row;
  try {
    client.list(q);
    FAIL() << "cursor of another order accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_EQ(std::string(e.what()).rfind("cursor:", 0), 0u) << e.what();
  }
}

TEST_F(QueryTest, SearchCoversTitleDescriptionTagsAndSref) {
  add("Harbour at dusk", 1, [](Record& r) { r.description = "fishing boats"; });
  add("Desert road", 2, [](Record& r) { r.tags = {"cinemascope", "western"}; });
  add("Neon alley", 3, [](Record& r) { r.sref = "--sref 4242"; });
  add("Café scène", 4);
  EXPECT_EQ(titles(client.search("harbour")), Titles{"Harbour at dusk"});
  EXPECT_EQ(titles(client.search("fishing")), Titles{"Harbour at dusk"});
  EXPECT_EQ(titles(client.search("western")), Titles{"Desert road"});
  EXPECT_EQ(titles(client.search("4242")), Titles{"Neon alley"});
  EXPECT_EQ(titles(client.search("cinema")), Titles{"Desert road"});  // last word as prefix
  EXPECT_EQ(titles(client.search("cafe")), Titles{"Café scène"});     // diacritics folded
  EXPECT_EQ(titles(client.search("desert harbour")), Titles{});       // every word must match
}

TEST_F(QueryTest, SearchTextWithQueryOperatorsIsJustWords) {
  add("AND OR NOT \"quoted\" (x) * ^", 1);
  EXPECT_EQ(client.search("\"quoted\" OR NOT").records.size(), 1u);
  EXPECT_EQ(client.search("NEAR( x").records.size(), 0u);
}

TEST_F(QueryTest, SearchFollowsUpdatesAndCombinesWithFilters) {
  Record r = add("Blue hour", 1, [](Record& draft) { draft.category = "Photo"; });
  add("Blue velvet", 2, [](Record& draft) { draft.category = "Film"; });
  RecordQuery q;
  q.category = "Photo";
  EXPECT_EQ(titles(client.search("blue", q)), Titles{"Blue hour"});
  client.update(r.id, R"({"title":"Golden hour","tags":["magic"]})");
  EXPECT_EQ(titles(client.search("blue", q)), Titles{});
  EXPECT_EQ(titles(client.search("magic")), Titles{"Golden hour"});
}

TEST_F(QueryTest, SearchPagesWithACursor) {
  for (int i = 0; i < 7; ++i) add("storm " + std::to_string(i), i + 1);
  RecordQuery q;
  q.limit = 3;
  std::set<std::string> ids;
  int pages = 0;
  for (;;) {
    auto page = client.search("storm", q);
    ++pages;
    for (const auto& r : page.records) ids.insert(r.id);
    if (!page.next_cursor) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 7u);
}

TEST(FtsQuery, QuotesEveryWordAndMakesTheLastAPrefix) {
  EXPECT_EQ(catalog::fts_query("  neon  night "), "\"neon\" \"night\"*");
  EXPECT_EQ(catalog::fts_query("neon ni"), "\"neon\" \"ni\"");  // too short to be a prefix
  EXPECT_EQ(catalog::fts_query("été"), "\"été\"*");             // characters, not bytes
  EXPECT_EQ(catalog::fts_query("say \"hi\""), "\"say\" \"\"\"hi\"\"\"*");
}

}  // namespace
}  // namespace pindeck
