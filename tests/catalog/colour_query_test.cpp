// SPDX-License-Identifier: Apache-2.0
// "Colour near" (DESIGN §8): the redmean boundary, the query's colour forms, the filter combined
// with the others, search and cursors, and the colour rows following every change of a palette.
// Expected distances are computed here, in double precision, from the formula in DESIGN §8.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "catalog/query_json.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "catalog_fixture.hpp"
#include "expect_invalid.hpp"

namespace pindeck::catalog {
namespace {

struct Colour {
  int r, g, b;
};

double redmean(Colour a, Colour b) {
  const double mean_r = (a.r + b.r) / 2.0;
  const double dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
  return std::sqrt((2 + mean_r / 256) * dr * dr + 4 * dg * dg +
                   (2 + (255 - mean_r) / 256) * db * db);
}

std::string hex(Colour c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

double nearest(const std::vector<Colour>& palette, Colour to) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& c : palette) best = std::min(best, redmean(c, to));
  return best;
}

class ColourQueryTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::unique_ptr<Catalog> catalog = test::open_catalog(dir.path() / "catalog.sqlite");

  Record add(const std::vector<Colour>& palette, auto&& edit) {
    Record r;
    r.title = "r";
    std::vector<std::string> colours;
    for (const auto& c : palette) colours.push_back(hex(c));
    r.colors = colours;
    edit(r);
    return catalog->insert(r).record;
  }
  Record add(const std::vector<Colour>& palette) {
    return add(palette, [](Record&) {});
  }

  std::set<std::string> ids_near(const std::string& colour, double distance = 78) {
    RecordQuery q;
    q.color = colour;
    q.color_distance = distance;
    q.limit = 1000;
    std::set<std::string> ids;
    for (auto& r : catalog->list(q).records) ids.insert(r.id);
    return ids;
  }
};

// For a centre and a direction along one channel, colours whose distance lands just inside
// [77.5, 78] and just outside (78, 78.5], stepping along the channel and nudging the other two.
struct BoundaryCase {
  Colour centre, colour;
  double distance;
};

std::vector<BoundaryCase> boundary_cases(Colour centre) {
  std::vector<BoundaryCase> cases;
  for (int channel = 0; channel < 3; ++channel) {
    for (int sign : {-1, 1}) {
      std::optional<BoundaryCase> inside, outside;
      for (int step = 1; step <= 255 && !(inside && outside); ++step) {
        for (int nudge_a = -3; nudge_a <= 3; ++nudge_a) {
          for (int nudge_b = -3; nudge_b <= 3; ++nudge_b) {
            int v[3] = {centre.r, centre.g, centre.b};
            v[channel] += sign * step;
            v[(channel + 1) % 3] += nudge_a;
            v[(channel + 2) % 3] += nudge_b;
            if (std::any_of(v, v + 3, [](int x) { return x < 0 || x > 255; })) continue;
            const Colour c{v[0], v[1], v[2]};
            const double d = redmean(centre, c);
            if (!inside && d >= 77.5 && d <= 78) inside = BoundaryCase{centre, c, d};
            if (!outside && d > 78 && d <= 78.5) outside = BoundaryCase{centre, c, d};
          }
        }
      }
      if (inside) cases.push_back(*inside);
      if (outside) cases.push_back(*outside);
    }
  }
  return cases;
}

TEST_F(ColourQueryTest, TheBoundaryIsTheRedmeanDistance78InEveryDirection) {
  // Dark red mean (r̄ under 64 going down in red), bright (over 200), mid, and the two ends.
  const std::vector<Colour> centres = {{60, 128, 128}, {210, 128, 128}, {128, 90, 200},
                                       {0, 0, 0},      {255, 255, 255}, {30, 200, 40}};
  std::vector<BoundaryCase> cases;
  for (const auto& centre : centres) {
    auto more = boundary_cases(centre);
    cases.insert(cases.end(), more.begin(), more.end());
  }
  std::map<std::string, BoundaryCase> by_id;
  for (const auto& c : cases) by_id.emplace(add({c.colour}).id, c);
  int inside = 0, outside = 0, dark = 0, bright = 0;
  for (const auto& c : cases) {
    const double mean_r = (c.centre.r + c.colour.r) / 2.0;
    (c.distance <= 78 ? inside : outside)++;
    if (mean_r < 64) ++dark;
    if (mean_r > 200) ++bright;
  }
  EXPECT_GE(cases.size(), 30u);
  EXPECT_GE(inside, 15);
  EXPECT_GE(outside, 15);
  EXPECT_GE(dark, 4);
  EXPECT_GE(bright, 4);
  for (const auto& centre : centres) {
    const auto found = ids_near(hex(centre));
    for (const auto& [id, c] : by_id) {
      // Every record is checked against every centre, not only its own boundary case.
      const double d = redmean(centre, c.colour);
      SCOPED_TRACE(hex(centre) + " to " + hex(c.colour) + " at " + std::to_string(d));
      EXPECT_EQ(found.contains(id), d <= 78);
    }
  }
}

TEST_F(ColourQueryTest, ShortAndAlphaFormsAndAnyCaseNameTheSameColour) {
  // #3c8 is #33cc88; with alpha, the alpha is dropped.
  const Colour centre{0x33, 0xcc, 0x88};
  std::set<std::string> expected;
  auto cases = boundary_cases(centre);
  cases.push_back({centre, centre, 0});
  for (const auto& c : cases) {
    const auto id = add({c.colour}).id;
    if (redmean(centre, c.colour) <= 78) expected.insert(id);
  }
  EXPECT_GE(expected.size(), 4u);
  EXPECT_LT(expected.size(), cases.size());
  EXPECT_EQ(ids_near("#33cc88"), expected);
  for (const char* form :
       {"#3c8", "3c8", "#3C8", "#3c8f", "3C80", "33CC88", "#33cc8800", "33cc88ff", "#33Cc88"}) {
    SCOPED_TRACE(form);
    EXPECT_EQ(ids_near(form), expected);
  }
}

TEST_F(ColourQueryTest, TheDistanceIsAnOption) {
  const Colour centre{100, 100, 100};
  std::map<std::string, double> distance_of;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> spread(-60, 60);
  for (int i = 0; i < 60; ++i) {
    const Colour c{100 + spread(random), 100 + spread(random), 100 + spread(random)};
    distance_of[add({c}).id] = redmean(centre, c);
  }
  distance_of[add({centre}).id] = 0;
  for (double limit : {0.0, 10.0, 30.5, 78.0, 120.0, 765.0}) {
    std::set<std::string> expected;
    for (const auto& [id, d] : distance_of) {
      if (d <= limit) expected.insert(id);
    }
    EXPECT_EQ(ids_near("#646464", limit), expected) << limit;
  }
}

TEST_F(ColourQueryTest, BadColoursAndDistancesAreRefusedNamingTheField) {
  add({{1, 2, 3}});
  for (const char* bad :
       {"", "#", "#12", "#12345", "#1234567", "##123456", "#ggg", "12 345", "#123456789", "red"}) {
    RecordQuery q;
    q.color = bad;
    test::expect_invalid([&] { catalog->list(q); }, "color: ");
    test::expect_invalid([&] { catalog->search("word", q); }, "color: ");
  }
  for (double bad : {-1.0, -0.001, 765.5, 1e9, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    RecordQuery q;
    q.color = "#010203";
    q.color_distance = bad;
    test::expect_invalid([&] { catalog->list(q); },
                         "colorDistance: must be a number from 0 to 765");
  }
  RecordQuery q;
  q.order = RecordOrder::closeness;
  test::expect_invalid([&] { catalog->list(q); }, "order: closeness needs a color");
  test::expect_invalid(
      [&] {
        query_from_json({{"colorDistance", "78"}});
      },
      "query.colorDistance: must be a number");
  test::expect_invalid([&] { query_from_json({{"color", 5}}); }, "query.color: must be a string");
  test::expect_invalid(
      [&] {
        query_from_json({{"order", "nearest"}});
      },
      "expected uploadedAt, project or closeness");
  auto parsed =
      query_from_json({{"color", "#abc"}, {"colorDistance", 12.5}, {"order", "closeness"}});
  EXPECT_EQ(parsed.color, "#abc");
  EXPECT_EQ(parsed.color_distance, 12.5);
  EXPECT_EQ(parsed.order, RecordOrder::closeness);
}

// What the test knows of each record it made.
struct Made {
  std::string id;
  std::int64_t uploaded_at;
  std::vector<Colour> palette;
  bool tagged;
  bool has_word;
  std::string category;
};

class ColourCombinedTest : public ColourQueryTest {
 protected:
  std::vector<Made> made;
  const Colour centre{180, 60, 60};

  void SetUp() override {
    std::mt19937 random(12);
    std::uniform_int_distribution<int> channel(0, 255), near(-50, 50), count(0, 5), coin(0, 2);
    std::vector<Record> batch;
    for (int i = 0; i < 400; ++i) {
      Made m;
      m.uploaded_at = 1'700'000'000'000 + i / 4;  // ties in time
      for (int k = count(random); k > 0; --k) {
        if (coin(random) == 0) {
          m.palette.push_back({std::clamp(centre.r + near(random), 0, 255),
                               std::clamp(centre.g + near(random), 0, 255),
                               std::clamp(centre.b + near(random), 0, 255)});
        } else {
          m.palette.push_back({channel(random), channel(random), channel(random)});
        }
      }
      m.tagged = coin(random) != 0;
      m.has_word = coin(random) != 0;
      m.category = coin(random) == 0 ? "Film" : "General";
      Record r;
      r.title = m.has_word ? "harbour at dusk" : "quiet street";
      r.category = m.category;
      r.uploaded_at = m.uploaded_at;
      r.project_order = i % 7;
      if (m.tagged) r.tags = {"warm", "still"};
      if (!m.palette.empty()) {
        r.colors.emplace();
        for (const auto& c : m.palette) r.colors->push_back(hex(c));
      }
      batch.push_back(r);
      made.push_back(m);
    }
    auto results = catalog->insert_batch(batch);
    for (std::size_t i = 0; i < results.size(); ++i) made[i].id = results[i].record.id;
  }

  // Every page of `next(query)`, checked to hold no record twice.
  template <typename Next>
  std::vector<Record> all_pages(RecordQuery q, Next&& next) {
    std::vector<Record> out;
    std::set<std::string> seen;
    for (int pages = 0; pages < 1000; ++pages) {
      RecordPage page = next(q);
      EXPECT_LE(page.records.size(), static_cast<std::size_t>(q.limit));
      for (auto& r : page.records) {
        EXPECT_TRUE(seen.insert(r.id).second) << "twice: " << r.id;
        out.push_back(std::move(r));
      }
      if (!page.next_cursor) return out;
      q.cursor = page.next_cursor;
    }
    ADD_FAILURE() << "the cursor never ended";
    return out;
  }

  std::set<std::string> expected_ids(double limit, bool tag, bool word,
                                     std::optional<std::string> category = {}) {
    std::set<std::string> ids;
    for (const auto& m : made) {
      if (nearest(m.palette, centre) > limit) continue;
      if (tag && !m.tagged) continue;
      if (word && !m.has_word) continue;
      if (category && m.category != *category) continue;
      ids.insert(m.id);
    }
    return ids;
  }

  double distance_of(const std::string& id) {
    for (const auto& m : made) {
      if (m.id == id) return nearest(m.palette, centre);
    }
    ADD_FAILURE() << "unknown " << id;
    return 0;
  }
};

std::set<std::string> id_set(const std::vector<Record>& records) {
  std::set<std::string> ids;
  for (const auto& r : records) ids.insert(r.id);
  return ids;
}

TEST_F(ColourCombinedTest, WithTagsEveryOrderPagesThroughExactlyTheMatches) {
  const auto expected = expected_ids(78, true, false);
  ASSERT_GE(expected.size(), 40u);  // several pages
  for (RecordOrder order :
       {RecordOrder::newest_first, RecordOrder::project_row, RecordOrder::closeness}) {
    SCOPED_TRACE(static_cast<int>(order));
    RecordQuery q;
    q.color = "#b43c3c";
    q.tags = {"warm", "still"};
    q.order = order;
    q.limit = 7;
    auto records = all_pages(q, [&](const RecordQuery& page) { return catalog->list(page); });
    EXPECT_EQ(id_set(records), expected);
    for (std::size_t i = 1; i < records.size(); ++i) {
      const auto& a = records[i - 1];
      const auto& b = records[i];
      if (order == RecordOrder::newest_first) {
        EXPECT_GE(a.uploaded_at, b.uploaded_at);
      } else if (order == RecordOrder::project_row) {
        EXPECT_LE(a.project_order, b.project_order);
      } else {
        EXPECT_LE(distance_of(a.id), distance_of(b.id));
      }
    }
  }
}

TEST_F(ColourCombinedTest, WithACategoryAndAWiderDistance) {
  const auto expected = expected_ids(110, false, false, "Film");
  ASSERT_GE(expected.size(), 20u);
  RecordQuery q;
  q.color = "B43C3C";
  q.color_distance = 110;
  q.category = "Film";
  q.limit = 9;
  EXPECT_EQ(id_set(all_pages(q, [&](const RecordQuery& p) { return catalog->list(p); })), expected);
}

TEST_F(ColourCombinedTest, WithSearchTextByRelevanceAndByCloseness) {
  const auto expected = expected_ids(78, true, true);
  ASSERT_GE(expected.size(), 15u);
  for (RecordOrder order : {RecordOrder::newest_first, RecordOrder::closeness}) {
    RecordQuery q;
    q.color = "#b43c3c";
    q.tags = {"warm"};
    q.order = order;
    q.limit = 4;
    auto records =
        all_pages(q, [&](const RecordQuery& page) { return catalog->search("harbour", page); });
    EXPECT_EQ(id_set(records), expected);
    if (order == RecordOrder::closeness) {
      for (std::size_t i = 1; i < records.size(); ++i) {
        EXPECT_LE(distance_of(records[i - 1].id), distance_of(records[i].id));
      }
    }
  }
}

TEST_F(ColourCombinedTest, ABulkDeletionByColourTakesExactlyTheMatches) {
  RecordQuery q;
  q.color = "#b43c3c";
  q.category = "Film";
  const auto expected = expected_ids(78, false, false, "Film");
  auto removed = catalog->remove_matching(q, false, true);
  std::set<std::string> ids;
  for (const auto& r : removed) ids.insert(r.record.id);
  EXPECT_EQ(ids, expected);
}

TEST_F(ColourQueryTest, TheFilterFollowsUpdatesPatchesAndDeletion) {
  const Record r = add({{10, 200, 30}, {250, 250, 0}});
  const Record other = add({{10, 200, 30}});
  EXPECT_EQ(ids_near("#0ac81e", 0), (std::set<std::string>{r.id, other.id}));
  EXPECT_EQ(ids_near("#fafa00", 0), (std::set<std::string>{r.id}));

  catalog->update(r.id, {{"colors", {"#000080"}}});
  EXPECT_EQ(ids_near("#0ac81e", 0), (std::set<std::string>{other.id}));
  EXPECT_EQ(ids_near("#fafa00", 0), (std::set<std::string>{}));
  EXPECT_EQ(ids_near("#000080", 0), (std::set<std::string>{r.id}));

  // A patch of other fields leaves the colours as they are.
  catalog->update(r.id, {{"title", "renamed"}});
  EXPECT_EQ(ids_near("#000080", 0), (std::set<std::string>{r.id}));

  catalog->update(r.id, {{"colors", nullptr}});
  EXPECT_EQ(ids_near("#000080", 0), (std::set<std::string>{}));

  // A palette that repeats a colour, or holds two near ones, is one match, in either order.
  const Record repeated = add({{1, 1, 1}, {1, 1, 1}, {2, 2, 2}});
  for (RecordOrder order : {RecordOrder::newest_first, RecordOrder::closeness}) {
    RecordQuery q;
    q.color = "#010101";
    q.order = order;
    const auto page = catalog->list(q);
    ASSERT_EQ(page.records.size(), 1u) << static_cast<int>(order);
    EXPECT_EQ(page.records[0].id, repeated.id);
    EXPECT_EQ(catalog->search("r", q).records.size(), 1u) << static_cast<int>(order);
  }
  catalog->remove_records({repeated.id, other.id}, false, false);
  EXPECT_EQ(ids_near("#0ac81e", 0), (std::set<std::string>{}));
  EXPECT_EQ(ids_near("#010101", 0), (std::set<std::string>{}));
}

// The colour rows behind the filter, one per distinct colour of a stored record, in SQLite's own
// table.
TEST(SqliteColourRows, FollowUpdatesPatchesAndDeletion) {
  test::TempDir dir;
  auto catalog = SqliteCatalog::open(dir.path() / "catalog.sqlite");
  const auto colour_rows = [&] {
    return catalog->read([](Database& db) {
      auto stmt = db.prepare("SELECT count(*) FROM record_colors");
      stmt.step();
      return stmt.integer(0);
    });
  };
  const auto add = [&](std::vector<std::string> colours) {
    Record r;
    r.title = "r";
    r.colors = std::move(colours);
    return catalog->insert(r).record;
  };
  const Record r = add({"#0ac81e", "#fafa00"});
  const Record other = add({"#0ac81e"});
  EXPECT_EQ(colour_rows(), 3);
  catalog->update(r.id, {{"colors", {"#000080"}}});
  EXPECT_EQ(colour_rows(), 2);
  catalog->update(r.id, {{"title", "renamed"}});
  EXPECT_EQ(colour_rows(), 2);
  catalog->update(r.id, {{"colors", nullptr}});
  EXPECT_EQ(colour_rows(), 1);
  const Record repeated = add({"#010101", "#010101"});
  EXPECT_EQ(colour_rows(), 2);
  catalog->remove_records({repeated.id, other.id}, false, false);
  EXPECT_EQ(colour_rows(), 0);
}

TEST_F(ColourQueryTest, APaletteSetWhenAPersistJobCommitsIsFound) {
  Record r;
  r.title = "uploaded";
  r.storage_id = "0123456789abcdef0123456789abcdef";
  r.storage_provider = StorageProvider::convex;
  r.storage_persist_status = PersistStatus::pending;
  auto jobs = catalog->persist_jobs("worker", std::chrono::seconds(30));
  const Record stored = jobs->insert_with_job(r).record;
  EXPECT_EQ(ids_near("#804020"), (std::set<std::string>{}));
  auto job = jobs->claim();
  ASSERT_TRUE(job);
  ASSERT_TRUE(jobs->complete(*job, [](Record& record) {
    record.colors = std::vector<std::string>{"#804020", "#eeeeee"};
    return true;
  }));
  EXPECT_EQ(ids_near("#804020", 0), (std::set<std::string>{stored.id}));
  EXPECT_EQ(ids_near("#eee", 0), (std::set<std::string>{stored.id}));
}

}  // namespace
}  // namespace pindeck::catalog
