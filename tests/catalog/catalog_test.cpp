// SPDX-License-Identifier: Apache-2.0
// Create, get, update, delete and uniqueness rules of the catalog, through a Client on a real
// catalog (a SQLite file in its data directory, or the run's PostgreSQL database).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path() / "data");

  std::size_t count() {
    RecordQuery q;
    q.limit = 1000;
    return client.list(q).records.size();
  }
};

Record titled(std::string title) {
  Record r;
  r.title = std::move(title);
  return r;
}

Errc code_of(const auto& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::internal;
}

TEST_F(CatalogTest, CreateAssignsIdUniqueIdAndTime) {
  Record r = client.create(titled("Flow"));
  EXPECT_EQ(r.id.size(), 17u);
  EXPECT_EQ(r.unique_id.rfind("img-", 0), 0u);
  EXPECT_GT(r.uploaded_at, 1700000000000);
  EXPECT_EQ(client.get(r.id), r);
}

TEST_F(CatalogTest, TheDefaultCatalogIsASqliteFileInTheDataDirectory) {
  client.create(titled("Flow"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "catalog.sqlite"));
}

TEST_F(CatalogTest, HostChosenUniqueIdAndTimeAreKept) {
  Record in = titled("Kept");
  in.unique_id = "custom-1";
  in.uploaded_at = 1600000000000;
  Record r = client.create(in);
  EXPECT_EQ(r.unique_id, "custom-1");
  EXPECT_EQ(r.uploaded_at, 1600000000000);
}

TEST_F(CatalogTest, AGivenIdIsRefused) {
  Record in = titled("x");
  in.id = "mine";
  EXPECT_EQ(code_of([&] { client.create(in); }), Errc::invalid);
  EXPECT_EQ(count(), 0u);
}

TEST_F(CatalogTest, DuplicateExternalIdReturnsTheStoredRecord) {
  Record in = titled("first");
  in.external_id = "pinterest:board:123";
  Record first = client.create(in);
  in.title = "second";
  Record second = client.create(in);
  EXPECT_EQ(second, first);
  EXPECT_EQ(count(), 1u);
}

TEST_F(CatalogTest, DuplicateGenerationArtifactKeyReturnsTheStoredRecord) {
  Record in = titled("variation");
  in.generation_artifact_key = "artifact-9";
  Record first = client.create(in);
  EXPECT_EQ(client.create(in).id, first.id);
  EXPECT_EQ(count(), 1u);
}

// Pindeck gives a variation its parent's uniqueId, so a family shares one (DESIGN §7).
TEST_F(CatalogTest, RecordsMayShareAUniqueId) {
  Record in = titled("a");
  in.unique_id = "same";
  const Record first = client.create(in);
  in.title = "b";
  const Record second = client.create(in);
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(client.get(first.id).unique_id, "same");
  EXPECT_EQ(client.get(second.id).unique_id, "same");
  EXPECT_EQ(count(), 2u);
}

TEST_F(CatalogTest, StringsAreStoredVerbatim) {
  const std::string nasty = "it's \"quoted\"; DROP TABLE records; -- ✓ 映画 \U0001F3AC";
  Record in = titled(nasty);
  in.description = nasty;
  in.tags = {nasty, "plain"};
  in.external_id = nasty;
  Record r = client.create(in);
  Record back = client.get(r.id);
  EXPECT_EQ(back.title, nasty);
  EXPECT_EQ(back.description, nasty);
  EXPECT_EQ(back.tags.at(0), nasty);
  EXPECT_EQ(back.external_id, nasty);
  RecordQuery q;
  q.tags = {nasty};
  ASSERT_EQ(client.list(q).records.size(), 1u);
  EXPECT_EQ(client.create(in).id, r.id);  // the quoted externalId still matches
}

TEST_F(CatalogTest, TextThatIsNotUtf8IsRefused) {
  Record in = titled("bad \xff byte");
  try {
    client.create(in);
    FAIL() << "invalid UTF-8 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_EQ(std::string(e.what()), "title: is not valid UTF-8 (at byte 4)");
  }
  EXPECT_EQ(count(), 0u);
}

TEST_F(CatalogTest, InvalidRecordIsRefusedAndNothingWritten) {
  Record in = titled("bad colours");
  in.colors = std::vector<std::string>{"#GGGGGG"};
  EXPECT_EQ(code_of([&] { client.create(in); }), Errc::invalid);
  EXPECT_EQ(count(), 0u);
}

TEST_F(CatalogTest, UpdateChangesOnlyThePatchedFields) {
  Record r = client.create(titled("Flow"));
  Record u = client.update(r.id, R"({"title":"Flow II","tags":["river"],"projectOrder":2})");
  EXPECT_EQ(u.title, "Flow II");
  EXPECT_EQ(u.tags, std::vector<std::string>{"river"});
  EXPECT_EQ(u.project_order, 2);
  EXPECT_EQ(u.unique_id, r.unique_id);
  EXPECT_EQ(u.uploaded_at, r.uploaded_at);
  EXPECT_EQ(client.get(r.id), u);
}

TEST_F(CatalogTest, RefusedUpdateLeavesTheRecordAsItWas) {
  Record r = client.create(titled("Flow"));
  for (const char* patch :
       {R"({"title":"ok","projectOrder":-1})", R"({"title":"ok","colors":["red"]})",
        R"({"title":"ok","status":"deleted"})", R"({"title":"ok",)", R"({"title":"ok","id":"x"})",
        R"({"title":null})"}) {
    EXPECT_EQ(code_of([&] { client.update(r.id, patch); }), Errc::invalid) << patch;
    EXPECT_EQ(client.get(r.id), r) << patch;
  }
}

TEST_F(CatalogTest, UpdateToATakenExternalIdIsAConflict) {
  Record a = titled("a");
  a.external_id = "ext-a";
  client.create(a);
  Record b = client.create(titled("b"));
  EXPECT_EQ(code_of([&] { client.update(b.id, R"({"externalId":"ext-a","title":"b2"})"); }),
            Errc::conflict);
  EXPECT_EQ(client.get(b.id), b);
}

TEST_F(CatalogTest, UnknownIdsAreNotFound) {
  EXPECT_EQ(code_of([&] { client.get("nope"); }), Errc::not_found);
  EXPECT_EQ(code_of([&] { client.update("nope", "{}"); }), Errc::not_found);
  EXPECT_EQ(code_of([&] { client.remove("nope"); }), Errc::not_found);
}

TEST_F(CatalogTest, DeleteRemovesTheRecordItsTagsAndItsSearchText) {
  Record in = titled("Lighthouse");
  in.tags = {"coast"};
  Record r = client.create(in);
  RecordQuery q;
  q.tags = {"coast"};
  ASSERT_EQ(client.list(q).records.size(), 1u);
  ASSERT_EQ(client.search("lighthouse").records.size(), 1u);
  client.remove(r.id);
  EXPECT_EQ(code_of([&] { client.get(r.id); }), Errc::not_found);
  EXPECT_TRUE(client.list(q).records.empty());
  EXPECT_TRUE(client.search("lighthouse").records.empty());
}

TEST_F(CatalogTest, AParentWithVariationsCannotBeDeleted) {
  Record parent = client.create(titled("parent"));
  Record child = titled("child");
  child.parent_image_id = parent.id;
  child = client.create(child);
  EXPECT_EQ(code_of([&] { client.remove(parent.id); }), Errc::conflict);
  EXPECT_EQ(client.get(parent.id), parent);
  client.remove(child.id);
  client.remove(parent.id);
  EXPECT_EQ(count(), 0u);
}

TEST_F(CatalogTest, BatchIsAllOrNothing) {
  std::vector<Record> batch(5, titled("ok"));
  batch[3].tags = {""};
  try {
    client.create_batch(batch);
    FAIL() << "batch with an invalid record accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_EQ(std::string(e.what()), "record 3 of the batch: tags[0]: must not be an empty string");
  }
  EXPECT_EQ(count(), 0u);
  batch[3].tags = {"fine"};
  batch[4].external_id = "dup";
  batch[2].external_id = "dup";
  auto results = client.create_batch(batch);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_TRUE(results[2].created);
  EXPECT_FALSE(results[4].created);
  EXPECT_EQ(results[4].record.id, results[2].record.id);
  EXPECT_EQ(count(), 4u);
}

TEST_F(CatalogTest, ABatchOverItsLimitIsRefusedWhole) {
  std::vector<Record> batch(limits::batch_records + 1, titled("many"));
  try {
    client.create_batch(batch);
    FAIL() << "a batch of " << batch.size() << " records accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_EQ(std::string(e.what()), "records: a batch holds at most 1000 records (got 1001)");
  }
  EXPECT_EQ(count(), 0u);
  batch.pop_back();
  EXPECT_EQ(client.create_batch(batch).size(), limits::batch_records);
}

TEST_F(CatalogTest, ReopeningKeepsTheRecords) {
  Record r = client.create(titled("persisted"));
  client = Client::open(dir.path() / "data");
  EXPECT_EQ(client.get(r.id), r);
}

}  // namespace
}  // namespace pindeck
