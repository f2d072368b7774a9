// SPDX-License-Identifier: Apache-2.0
// Catalogs written at every older schema version are brought up to date when opened.
#include <gtest/gtest.h>

#include "catalog/migrations.hpp"
#include "catalog/persist_jobs.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck::catalog {
namespace {

// A record as schema version 1 stored it (no search index yet).
void insert_v1_row(Database& db) {
  db.run_script(R"sql(
    INSERT INTO records (pk, id, unique_id, uploaded_at, title, category, project_sort, doc)
    VALUES (1, '00000000000000001', 'img-1-aaaaaaa', 1700000000000, 'Old lighthouse', 'General',
            9223372036854775807,
            '{"id":"00000000000000001","title":"Old lighthouse","description":"stormy coast",'
            || '"category":"General","tags":["sea"],"uniqueId":"img-1-aaaaaaa",'
            || '"uploadedAt":1700000000000,"sref":"--sref 77",'
            || '"colors":["#1A2b3c","#ffffff","blue","#1a2b3c"]}');
    INSERT INTO record_tags (tag, uploaded_at, record_pk) VALUES ('sea', 1700000000000, 1);
  )sql");
}

TEST(Migrations, VersionsAreConsecutiveFromOne) {
  int expected = 1;
  for (const auto& m : migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_GE(latest_schema_version(), 2);
}

TEST(Migrations, EveryOlderVersionIsUpgradedOnOpen) {
  for (int from = 0; from < latest_schema_version(); ++from) {
    SCOPED_TRACE("from schema version " + std::to_string(from));
    test::TempDir dir;
    auto file = dir.path() / "catalog.sqlite";
    {
      auto db = Database::open(file);
      migrate(*db, from);
      EXPECT_EQ(schema_version(*db), from);
      if (from >= 1) insert_v1_row(*db);
      // From version 2 on, a stored record has its search entry too (an update removes it).
      if (from >= 2) {
        db->run_script(
            "INSERT INTO records_fts (rowid, title, description, tags, sref) "
            "VALUES (1, 'Old lighthouse', 'stormy coast', 'sea', '--sref 77')");
      }
      // From version 6 on, its palette's colour rows too (#1a2b3c and #ffffff).
      if (from >= 6) {
        db->run_script(
            "INSERT INTO record_colors (r, g, b, record_pk) "
            "VALUES (26, 43, 60, 1), (255, 255, 255, 1)");
      }
    }
    auto catalog = SqliteCatalog::open(file);
    EXPECT_EQ(catalog->read([](Database& db) { return schema_version(db); }),
              latest_schema_version());
    if (from >= 1) {
      const Record old = catalog->get("00000000000000001");
      EXPECT_EQ(old.title, "Old lighthouse");
      // The colour rows (v6) were made from the stored palette: its #rrggbb colours in any case,
      // once each; "blue" is no colour the index knows.
      RecordQuery near;
      near.color = "#1a2b3c";
      near.color_distance = 0;
      EXPECT_EQ(catalog->list(near).records.size(), 1u);
      near.color = "#fff";
      EXPECT_EQ(catalog->list(near).records.size(), 1u);
      EXPECT_EQ(catalog->read([](Database& db) {
        auto stmt = db.prepare("SELECT count(*) FROM record_colors WHERE record_pk = 1");
        stmt.step();
        return stmt.integer(0);
      }),
                2);
      // Pindeck's other fields (v7): no labels, counters at 0, in the columns as in the document.
      EXPECT_EQ(old.genre, std::nullopt);
      EXPECT_EQ(old.ai_status, std::nullopt);
      EXPECT_EQ(old.likes, 0);
      EXPECT_EQ(old.views, 0);
      EXPECT_EQ(catalog->increment(old.id, Counter::likes, 3), 3);
      EXPECT_EQ(catalog->get(old.id).likes, 3);
      RecordQuery noir;
      noir.genre = "Noir";
      EXPECT_TRUE(catalog->list(noir).records.empty());
      catalog->update(old.id, nlohmann::json{{"genre", "Noir"}, {"aiStatus", "completed"}});
      EXPECT_EQ(catalog->list(noir).records.size(), 1u);
      const RecordStats stats = catalog->stats({});
      EXPECT_EQ(stats.total, 1);
      EXPECT_EQ(stats.genre, (std::vector<ValueCount>{{"Noir", 1}}));
      EXPECT_EQ(stats.category, (std::vector<ValueCount>{{"General", 1}}));
      EXPECT_TRUE(stats.source_type.empty());
      EXPECT_EQ(catalog->get(old.id).likes, 3) << "an update keeps the count";
    }
    if (from == 1) {
      // The rows follow a later change of the palette. (Only from version 1: the row written
      // here at a later version has no search entry, which an update would have to remove.)
      catalog->update("00000000000000001", {{"colors", {"#000000"}}});
      RecordQuery near;
      near.color = "#1a2b3c";
      EXPECT_EQ(catalog->list(near).records.size(), 0u);
      near.color = "#010101";
      EXPECT_EQ(catalog->list(near).records.size(), 1u);
    }
    if (from == 1) {
      // The search index (v2) was built from what the older version stored.
      for (const char* word : {"lighthouse", "stormy", "sea", "77"}) {
        EXPECT_EQ(catalog->search(word, {}).records.size(), 1u) << word;
      }
    }
    Record fresh;
    fresh.title = "new";
    fresh.storage_path = "media-uploads/2026/11_30/original/new.jpg";
    fresh = catalog->insert(fresh).record;
    // The delete queue (v5) takes what a deleted record leaves.
    catalog->remove_records({fresh.id}, false, false);
    EXPECT_EQ(catalog->delete_jobs("test", std::chrono::seconds(1))->count(), 1);
  }
}

// Jobs that failed under schema version 3 had only their message: version 4 classifies them from
// it, so a backfill after the upgrade skips the permanent ones too.
TEST(Migrations, FailedJobsOfVersion3GetTheirFailureKindFromTheirMessage) {
  test::TempDir dir;
  auto file = dir.path() / "catalog.sqlite";
  {
    auto db = Database::open(file);
    migrate(*db, 3);
    db->run_script(R"sql(
      INSERT INTO records (pk, id, unique_id, uploaded_at, title, category, project_sort, doc)
      VALUES (1, '00000000000000001', 'img-1-aaaaaaa', 1700000000000, 'cut', 'General',
              9223372036854775807,
              '{"id":"00000000000000001","title":"cut","category":"General","tags":[],'
              || '"uniqueId":"img-1-aaaaaaa","uploadedAt":1700000000000,"sourceType":"upload",'
              || '"storageProvider":"convex","storagePersistStatus":"failed",'
              || '"storageId":"0123456789abcdef0123456789abcdef"}'),
             (2, '00000000000000002', 'img-2-bbbbbbb', 1700000000001, 'down', 'General',
              9223372036854775807,
              '{"id":"00000000000000002","title":"down","category":"General","tags":[],'
              || '"uniqueId":"img-2-bbbbbbb","uploadedAt":1700000000001,"sourceType":"upload",'
              || '"storageProvider":"convex","storagePersistStatus":"failed",'
              || '"storageId":"0123456789abcdef0123456789abcdef"}');
      INSERT INTO records_fts (rowid, title, description, tags, sref)
      VALUES (1, 'cut', NULL, '', NULL), (2, 'down', NULL, '', NULL);
      INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, last_error, created_at)
      VALUES ('00000000000000001', 'failed', 1, 0,
              'deriving images from a.jpg: not an image (not retried: the error is permanent)', 0),
             ('00000000000000002', 'failed', 3, 0,
              'uploading original a.jpg: network error (gave up after 3 attempts)', 0);
    )sql");
  }
  auto catalog = SqliteCatalog::open(file);
  auto jobs = catalog->persist_jobs("upgraded", std::chrono::seconds(10), util::system_now_ms);
  EXPECT_EQ(jobs->find("00000000000000001")->failure, FailureKind::permanent);
  EXPECT_EQ(jobs->find("00000000000000002")->failure, FailureKind::transient);
  EXPECT_EQ(jobs->requeue_awaiting_backfill(50, false).size(), 1u);
  EXPECT_EQ(jobs->find("00000000000000002")->failure, std::nullopt) << "not requeued";
  EXPECT_EQ(jobs->requeue_awaiting_backfill(50, true).size(), 1u);
  EXPECT_EQ(jobs->counts().queued, 2);
}

// Version 8 rebuilds the records table (uniqueId no longer unique). Dropping the old table must not
// cascade to the persist jobs that name its records, and the rebuilt table keeps every row's pk,
// on which the search index and the tag and colour rows hang.
TEST(Migrations, Version8KeepsJobsSearchAndTagsAndLetsAFamilyShareAUniqueId) {
  test::TempDir dir;
  auto file = dir.path() / "catalog.sqlite";
  {
    auto db = Database::open(file);
    migrate(*db, 7);
    insert_v1_row(*db);
    db->run_script(R"sql(
      INSERT INTO records_fts (rowid, title, description, tags, sref)
      VALUES (1, 'Old lighthouse', 'stormy coast', 'sea', '--sref 77');
      INSERT INTO persist_jobs (record_id, state, attempts, next_attempt_at, created_at)
      VALUES ('00000000000000001', 'queued', 0, 0, 0);
    )sql");
    EXPECT_EQ(schema_version(*db), 7);
  }
  auto catalog = SqliteCatalog::open(file);
  auto jobs = catalog->persist_jobs("upgraded", std::chrono::seconds(10), util::system_now_ms);
  ASSERT_TRUE(jobs->find("00000000000000001")) << "the rebuild dropped the record's job";
  EXPECT_EQ(catalog->search("lighthouse", {}).records.size(), 1u);
  RecordQuery by_tag;
  by_tag.tags = {"sea"};
  EXPECT_EQ(catalog->list(by_tag).records.size(), 1u);

  Record sibling;
  sibling.title = "Lighthouse, later";
  sibling.unique_id = "img-1-aaaaaaa";
  EXPECT_NO_THROW(catalog->insert(sibling));
  sibling.source_url = "https://example.com/lighthouse.jpg";
  sibling.unique_id.clear();
  const Record stored = catalog->insert(sibling).record;
  EXPECT_EQ(catalog->find_by(RecordKey::source_url, "https://example.com/lighthouse.jpg")->id,
            stored.id);
  // Deleting a record still takes its job with it: foreign keys are back on.
  catalog->remove_records({"00000000000000001"}, false, false);
  EXPECT_FALSE(jobs->find("00000000000000001"));
}

TEST(Migrations, ACatalogFromANewerLibraryIsRefusedAndLeftAlone) {
  test::TempDir dir;
  auto file = dir.path() / "catalog.sqlite";
  {
    auto db = Database::open(file);
    migrate(*db);
    db->run_script("PRAGMA user_version = 99");
  }
  try {
    SqliteCatalog::open(file);
    FAIL() << "newer schema accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::database);
    EXPECT_NE(std::string(e.what()).find("has schema version 99, newer than this library knows"),
              std::string::npos)
        << e.what();
  }
  auto db = Database::open(file);
  EXPECT_EQ(schema_version(*db), 99);
}

TEST(Migrations, OpeningTwiceDoesNotMigrateAgain) {
  test::TempDir dir;
  auto file = dir.path() / "catalog.sqlite";
  Record r;
  r.title = "kept";
  std::string id = SqliteCatalog::open(file)->insert(r).record.id;
  auto again = SqliteCatalog::open(file);
  EXPECT_EQ(again->get(id).title, "kept");
  EXPECT_EQ(again->search("kept", {}).records.size(), 1u);
}

}  // namespace
}  // namespace pindeck::catalog
