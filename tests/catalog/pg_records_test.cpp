// SPDX-License-Identifier: Apache-2.0
// The records of a PostgreSQL catalog (src/catalog/postgres/records_table.cpp) through the Catalog
// interface: ids and keys assigned as on SQLite, the tag, colour and search rows following every
// change, counters, removal, and an externalId inserted by two processes at once stored once.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "catalog/postgres/postgres_catalog.hpp"
#include "expect_error.hpp"
#include "pg_test_env.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using catalog::RecordKey;
using catalog::postgres::PostgresCatalog;
using Strings = std::vector<std::string>;

class PgRecords : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string url = test::pg_database_for(dir.path());
  std::unique_ptr<PostgresCatalog> catalog = PostgresCatalog::open(url);
  test::PgConnection raw = test::pg_connect(url);

  // Every value of the first column a query returns, in its order.
  Strings column(const std::string& sql) {
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(raw.get(), sql.c_str()),
                                                               &PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
      return {};
    }
    Strings values;
    for (int i = 0; i < PQntuples(result.get()); ++i)
      values.emplace_back(PQgetvalue(result.get(), i, 0));
    return values;
  }

  std::string count(const std::string& table) { return column("SELECT count(*) FROM " + table)[0]; }

  Strings tag_rows(const std::string& id) {
    return column(
        "SELECT t.tag || '@' || t.uploaded_at FROM record_tags t JOIN records r ON r.pk = "
        "t.record_pk WHERE r.id = '" +
        id + "' ORDER BY t.tag");
  }

  Strings colour_rows(const std::string& id) {
    return column(
        "SELECT c.r || ',' || c.g || ',' || c.b FROM record_colors c JOIN records r ON r.pk = "
        "c.record_pk WHERE r.id = '" +
        id + "' ORDER BY 1");
  }

  std::string search_text(const std::string& id) {
    return column("SELECT search::text FROM records WHERE id = '" + id + "'")[0];
  }

  Record tagged(std::string title, Strings tags) {
    Record r;
    r.title = std::move(title);
    r.tags = std::move(tags);
    return r;
  }
};

TEST_F(PgRecords, InsertAssignsIdsAndWritesTagColourAndSearchRows) {
  Record r = tagged("Harbour at dawn", {"sea", "fog", "sea"});
  r.description = "boats";
  r.colors = Strings{"#ff0000", "#00ff00", "#ff0000"};
  r.sref = "--sref 4242";
  const auto created = catalog->insert(r);
  ASSERT_TRUE(created.created);
  const Record& stored = created.record;
  EXPECT_EQ(stored.id.size(), 17u);
  EXPECT_TRUE(stored.unique_id.starts_with("img-")) << stored.unique_id;
  EXPECT_GT(stored.uploaded_at, 0);
  EXPECT_EQ(stored.tags, (Strings{"sea", "fog"}));
  EXPECT_EQ(catalog->get(stored.id), stored);

  const std::string at = "@" + std::to_string(stored.uploaded_at);
  EXPECT_EQ(tag_rows(stored.id), (Strings{"fog" + at, "sea" + at}));
  EXPECT_EQ(colour_rows(stored.id), (Strings{"0,255,0", "255,0,0"}));
  EXPECT_EQ(search_text(stored.id),
            "'4242':8 'at':2A 'boats':6C 'dawn':3A 'fog':5B 'harbour':1A 'sea':4B 'sref':7")
      << "title A, tags B, description C, sref D";
}

TEST_F(PgRecords, KeepsTheUploadedAtAndUniqueIdAHostChose) {
  Record r;
  r.unique_id = "host-chosen";
  r.uploaded_at = 1700000000000;
  const Record stored = catalog->insert(r).record;
  EXPECT_EQ(stored.unique_id, "host-chosen");
  EXPECT_EQ(stored.uploaded_at, 1700000000000);
  EXPECT_EQ(catalog->get(stored.id), stored);
}

TEST_F(PgRecords, FindsByIdAndByEveryKey) {
  Record first;
  first.external_id = "discord:1";
  first.generation_artifact_key = "gen/1";
  first.source_url = "https://example.com/a.png";
  const Record a = catalog->insert(first).record;
  Record second;
  second.source_url = "https://example.com/a.png";
  const Record b = catalog->insert(second).record;

  EXPECT_EQ(catalog->find(a.id), a);
  EXPECT_EQ(catalog->find_by(RecordKey::external_id, "discord:1"), a);
  EXPECT_EQ(catalog->find_by(RecordKey::generation_artifact_key, "gen/1"), a);
  EXPECT_EQ(catalog->find_by(RecordKey::source_url, "https://example.com/a.png"), a)
      << "the oldest of the records with that sourceUrl, not " << b.id;
  EXPECT_EQ(catalog->find("0000000000000000z"), std::nullopt);
  EXPECT_EQ(catalog->find_by(RecordKey::external_id, "discord:2"), std::nullopt);
  test::expect_error([&] { catalog->get("0000000000000000z"); }, Errc::not_found,
                     "no record with id \"0000000000000000z\"");
}

TEST_F(PgRecords, AStoredExternalIdOrArtifactKeyYieldsTheStoredRecord) {
  Record r;
  r.title = "first";
  r.external_id = "import:7";
  r.generation_artifact_key = "artifact/7";
  const Record stored = catalog->insert(r).record;

  Record again;
  again.title = "second";
  again.external_id = "import:7";
  const auto by_external_id = catalog->insert(again);
  EXPECT_FALSE(by_external_id.created);
  EXPECT_EQ(by_external_id.record, stored);

  again.external_id.reset();
  again.generation_artifact_key = "artifact/7";
  const auto by_artifact = catalog->insert(again);
  EXPECT_FALSE(by_artifact.created);
  EXPECT_EQ(by_artifact.record, stored);
  EXPECT_EQ(count("records"), "1");
}

TEST_F(PgRecords, RefusesBadInsertsChangingNothing) {
  Record with_id;
  with_id.id = "0000000000000000a";
  test::expect_error([&] { catalog->insert(with_id); }, Errc::invalid, "id: is assigned");
  Record bad_title;
  bad_title.title = "line\nbreak";
  test::expect_error([&] { catalog->insert(bad_title); }, Errc::invalid, "title:");
  Record orphan;
  orphan.parent_image_id = "0000000000000000z";
  test::expect_error([&] { catalog->insert(orphan); }, Errc::conflict,
                     "parentImageId: no record with id \"0000000000000000z\"");
  // A batch is one transaction: the valid record before the orphan is not kept either.
  test::expect_error(
      [&] {
        catalog->insert_batch({Record{}, orphan});
      },
      Errc::conflict, "record 1 of the batch: parentImageId");
  EXPECT_EQ(count("records"), "0");
  EXPECT_EQ(count("record_tags"), "0");
}

TEST_F(PgRecords, AnUpdateRewritesTheRowsThatChanged) {
  Record r = tagged("amber lighthouse", {"sea", "night"});
  r.colors = Strings{"#000000"};
  const Record stored = catalog->insert(r).record;

  const Record retagged =
      catalog->update(stored.id, nlohmann::json::parse(R"({"tags": ["day", "sea"]})"));
  EXPECT_EQ(retagged.tags, (Strings{"day", "sea"}));
  EXPECT_EQ(catalog->get(stored.id), retagged);
  const std::string at = "@" + std::to_string(stored.uploaded_at);
  EXPECT_EQ(tag_rows(stored.id), (Strings{"day" + at, "sea" + at}));
  EXPECT_EQ(colour_rows(stored.id), Strings{"0,0,0"});

  catalog->update(stored.id,
                  nlohmann::json::parse(R"({"uploadedAt": 1600000000000, "colors": ["#0000ff"],
                                 "title": "crimson windmill"})"));
  EXPECT_EQ(tag_rows(stored.id), (Strings{"day@1600000000000", "sea@1600000000000"}));
  EXPECT_EQ(colour_rows(stored.id), Strings{"0,0,255"});
  EXPECT_EQ(search_text(stored.id), "'crimson':1A 'day':3B 'sea':4B 'windmill':2A");

  catalog->update(stored.id, nlohmann::json::parse(R"({"colors": null, "tags": []})"));
  EXPECT_EQ(tag_rows(stored.id), Strings{});
  EXPECT_EQ(colour_rows(stored.id), Strings{});
  test::expect_error(
      [&] { catalog->update("0000000000000000z", nlohmann::json::parse(R"({"title": "x"})")); },
      Errc::not_found, "no record with id \"0000000000000000z\"");
}

TEST_F(PgRecords, AnUpdateRefusesATakenKeyOrALineageCycleChangingNothing) {
  Record holder;
  holder.external_id = "taken";
  holder.generation_artifact_key = "taken/artifact";
  const Record h = catalog->insert(holder).record;
  const Record parent = catalog->insert(tagged("parent", {"p"})).record;
  Record child_in;
  child_in.parent_image_id = parent.id;
  const Record child = catalog->insert(child_in).record;

  test::expect_error(
      [&] {
        catalog->update(parent.id,
                        nlohmann::json::parse(R"({"externalId": "taken", "tags": ["q"]})"));
      },
      Errc::conflict, "externalId: \"taken\" is already used by record " + h.id);
  test::expect_error(
      [&] {
        catalog->update(parent.id,
                        nlohmann::json::parse(R"({"generationArtifactKey": "taken/artifact"})"));
      },
      Errc::conflict,
      "generationArtifactKey: \"taken/artifact\" is already used by record " + h.id);
  test::expect_error(
      [&] {
        catalog->update(parent.id, nlohmann::json{{"parentImageId", child.id}});
      },
      Errc::conflict, "would make the record its own ancestor");
  EXPECT_EQ(catalog->get(parent.id), parent);
  EXPECT_EQ(tag_rows(parent.id), Strings{"p@" + std::to_string(parent.uploaded_at)});

  // A record's own key is not "taken" by itself.
  EXPECT_EQ(catalog->update(h.id, nlohmann::json::parse(R"({"title": "renamed"})")).external_id,
            "taken");
}

TEST_F(PgRecords, IncrementsCountersWithinTheirLimits) {
  const Record r = catalog->insert(Record{}).record;
  EXPECT_EQ(catalog->increment(r.id, Counter::likes, 3), 3);
  EXPECT_EQ(catalog->increment(r.id, Counter::views, 10), 10);
  EXPECT_EQ(catalog->increment(r.id, Counter::likes, -1), 2);
  const Record counted = catalog->get(r.id);
  EXPECT_EQ(counted.likes, 2);
  EXPECT_EQ(counted.views, 10);

  test::expect_error([&] { catalog->increment(r.id, Counter::likes, -3); }, Errc::invalid,
                     "likes: 2 - 3 would be negative; the count stays 2");
  test::expect_error([&] { catalog->increment(r.id, Counter::views, limits::count); },
                     Errc::invalid, "views: 10 + 9007199254740991 would be over the limit of");
  test::expect_error([&] { catalog->increment(r.id, Counter::views, limits::count + 1); },
                     Errc::invalid, "views: an increment must be between");
  test::expect_error([&] { catalog->increment("0000000000000000z", Counter::likes, 1); },
                     Errc::not_found, "no record with id \"0000000000000000z\"");
  EXPECT_EQ(catalog->get(r.id), counted);
  // The document rewritten by the increment is still the whole record.
  EXPECT_EQ(catalog->update(r.id, nlohmann::json::parse(R"({"title": "after counting"})")).likes,
            2);
}

TEST_F(PgRecords, RemovingARecordRemovesItsTagAndColourRows) {
  Record r = tagged("gone", {"a", "b"});
  r.colors = Strings{"#123456"};
  const Record stored = catalog->insert(r).record;
  const Record kept = catalog->insert(tagged("kept", {"a"})).record;
  catalog->remove_records({stored.id}, false, false);
  EXPECT_EQ(catalog->find(stored.id), std::nullopt);
  EXPECT_EQ(tag_rows(stored.id), Strings{});
  EXPECT_EQ(count("record_tags"), "1");
  EXPECT_EQ(count("record_colors"), "0");
  EXPECT_EQ(catalog->get(kept.id), kept);
}

// Whether another session's statement is waiting for a lock in this test's database.
bool someone_waits_for_a_lock(PGconn* conn) {
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexec(conn,
             "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
             "wait_event_type = 'Lock'"),
      &PQclear);
  return PQresultStatus(result.get()) == PGRES_TUPLES_OK &&
         std::string(PQgetvalue(result.get(), 0, 0)) != "0";
}

// Process B looks for the externalId while process A's insert of it is not yet committed, so B's
// own insert finds the key taken only when A commits; B must then yield A's record.
TEST_F(PgRecords, AnInsertRacingAnUncommittedOneOfTheSameKeyYieldsTheStoredRecord) {
  auto other = PostgresCatalog::open(url);
  Record r;
  r.external_id = "race:1";
  std::future<CreateResult> second;
  const Record first = catalog->write([&](catalog::postgres::Connection& db) {
    auto created = catalog::postgres::insert_record(db, r);
    second = std::async(std::launch::async, [&] { return other->insert(r); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!someone_waits_for_a_lock(raw.get()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(second.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
        << "the second insert did not wait for the first";
    return created.record;
  });
  const auto yielded = second.get();
  EXPECT_FALSE(yielded.created);
  EXPECT_EQ(yielded.record, first);
  EXPECT_EQ(count("records"), "1");
}

// When A rolls back instead, B's waiting insert goes ahead and creates the record.
TEST_F(PgRecords, AnInsertRacingOneThatRollsBackCreatesTheRecord) {
  auto other = PostgresCatalog::open(url);
  Record r;
  r.generation_artifact_key = "race/2";
  std::future<CreateResult> second;
  EXPECT_THROW(catalog->write([&](catalog::postgres::Connection& db) {
    catalog::postgres::insert_record(db, r);
    second = std::async(std::launch::async, [&] { return other->insert(r); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!someone_waits_for_a_lock(raw.get()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("roll back");
  }),
               std::runtime_error);
  const auto created = second.get();
  EXPECT_TRUE(created.created);
  EXPECT_EQ(catalog->find_by(RecordKey::generation_artifact_key, "race/2"), created.record);
  EXPECT_EQ(count("records"), "1");
}

// Two processes inserting the same keys as fast as they can: every key is stored once, and both
// get the one stored record for it.
TEST_F(PgRecords, ConcurrentInsertsOfTheSameExternalIdStoreItOnce) {
  auto other = PostgresCatalog::open(url);
  constexpr int keys = 40;
  std::vector<CreateResult> mine(keys), theirs(keys);
  std::latch start(2);
  const auto insert_all = [&](catalog::Catalog& c, std::vector<CreateResult>& out) {
    start.arrive_and_wait();
    for (int i = 0; i < keys; ++i) {
      Record r;
      r.external_id = "concurrent:" + std::to_string(i);
      out[i] = c.insert(r);
    }
  };
  std::thread a([&] { insert_all(*catalog, mine); });
  std::thread b([&] { insert_all(*other, theirs); });
  a.join();
  b.join();
  for (int i = 0; i < keys; ++i) {
    EXPECT_EQ(mine[i].record, theirs[i].record) << i;
    EXPECT_NE(mine[i].created, theirs[i].created) << i;
  }
  EXPECT_EQ(count("records"), std::to_string(keys));
}

TEST_F(PgRecords, SearchFindsAnAccentedWordTypedWithoutAccents) {
  const Record r = catalog->insert(tagged("Crème brûlée à Málaga", {"café"})).record;
  catalog->insert(tagged("plain toast", {"tea"}));
  for (const char* typed : {"creme", "brulee", "malaga", "cafe", "CAFÉ", "mala"}) {
    const auto page = catalog->search(typed, RecordQuery{});
    ASSERT_EQ(page.records.size(), 1u) << typed;
    EXPECT_EQ(page.records[0].id, r.id) << typed;
  }
}

}  // namespace
}  // namespace pindeck
