// SPDX-License-Identifier: Apache-2.0
// The record rules where only the catalog can apply them (a parent must exist, no record is its
// own ancestor), the limits on create, batch and update with nothing changed on refusal, records
// stored by an older version under looser rules, search text, and the persistence error message
// the pipeline writes.
#include <gtest/gtest.h>

#include "catalog/sqlite.hpp"
#include "catalog_fixture.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;

class RecordRules : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path() / "data");

  std::size_t count() {
    RecordQuery q;
    q.limit = 1000;
    return client.list(q).records.size();
  }

  // Changes a stored document behind the library's back, as an older version could have
  // written it.
  void store_as_older_version(const std::string& id, const std::string& path,
                              const std::string& value) {
    auto db = catalog::Database::open(dir.path() / "data" / "catalog.sqlite");
    db->prepare("UPDATE records SET doc = json_set(doc, ?1, ?2) WHERE id = ?3")
        .bind(1, path)
        .bind(2, value)
        .bind(3, id)
        .run();
  }
};

Record titled(std::string title) {
  Record r;
  r.title = std::move(title);
  return r;
}

// The error a call throws: its code and message.
std::pair<Errc, std::string> error_of(const auto& call) {
  try {
    call();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {Errc::internal, "nothing thrown"};
}

TEST_F(RecordRules, AParentMustBeAStoredRecord) {
  Record orphan = titled("orphan");
  orphan.parent_image_id = "0000000000000nope";
  EXPECT_EQ(error_of([&] { client.create(orphan); }),
            std::pair(Errc::conflict,
                      std::string("parentImageId: no record with id \"0000000000000nope\"")));
  EXPECT_EQ(count(), 0u);

  const Record parent = client.create(titled("parent"));
  orphan.parent_image_id = parent.id;
  const Record child = client.create(orphan);
  EXPECT_EQ(child.parent_image_id, parent.id);

  std::vector<Record> batch{titled("fine"), orphan};
  batch[1].parent_image_id = "0000000000000nope";
  EXPECT_EQ(error_of([&] { client.create_batch(batch); }).first, Errc::conflict);
  EXPECT_EQ(count(), 2u);
}

TEST_F(RecordRules, AnUpdateCannotMakeALineageLoop) {
  const Record root = client.create(titled("root"));
  Record r = titled("child");
  r.parent_image_id = root.id;
  const Record child = client.create(r);
  r.parent_image_id = child.id;
  const Record grandchild = client.create(r);

  const auto refused = [&](const std::string& id, const std::string& parent) {
    const auto [code, message] =
        error_of([&] { client.update(id, R"({"parentImageId": ")" + parent + R"("})"); });
    EXPECT_EQ(code, Errc::conflict) << message;
    return message;
  };
  EXPECT_EQ(refused(root.id, grandchild.id),
            "parentImageId: \"" + grandchild.id + "\" would make the record its own ancestor");
  EXPECT_EQ(refused(root.id, root.id),
            "parentImageId: \"" + root.id + "\" would make the record its own ancestor");
  EXPECT_EQ(refused(child.id, "0000000000000nope"),
            "parentImageId: no record with id \"0000000000000nope\"");
  EXPECT_EQ(client.get(root.id), root);
  EXPECT_EQ(client.get(child.id), child);
  // Moving a record under another branch is fine.
  EXPECT_EQ(
      client.update(grandchild.id, R"({"parentImageId": ")" + root.id + R"("})").parent_image_id,
      root.id);
}

TEST_F(RecordRules, OverTheLimitIsRefusedOnCreateAndUpdateAndNothingChanges) {
  Record big = titled("big");
  big.description = std::string(50u << 20, 'x');  // the issue's 50 MB description
  EXPECT_EQ(error_of([&] { client.create(big); }),
            std::pair(Errc::invalid,
                      std::string("description: must be at most 10000 characters (got 52428800)")));
  big.description.reset();
  big.tags.assign(5'000'000, "t");  // and its 5,000,000 tags
  EXPECT_EQ(
      error_of([&] { client.create(big); }),
      std::pair(Errc::invalid, std::string("tags: at most 100 tags are allowed (got 5000000)")));
  EXPECT_EQ(count(), 0u);

  Record at_limit = titled(std::string(limits::title_chars, 't'));
  at_limit.description = std::string(limits::description_chars, 'd');
  for (std::size_t i = 0; i < limits::tags; ++i) {
    at_limit.tags.push_back(std::to_string(i) + std::string(limits::tag_chars - 3, 'x'));
  }
  const Record stored = client.create(at_limit);
  EXPECT_EQ(stored.tags.size(), limits::tags);

  const auto patch_refused = [&](const std::string& patch, const std::string& message) {
    EXPECT_EQ(error_of([&] { client.update(stored.id, patch); }),
              std::pair(Errc::invalid, message));
    EXPECT_EQ(client.get(stored.id), stored);
  };
  patch_refused(R"({"title": ")" + std::string(limits::title_chars + 1, 't') + R"("})",
                "title: must be at most 300 characters (got 301)");
  patch_refused(R"({"tags": ["a\u001bb"]})",
                "tags[0]: contains the control character U+001B at character 1; a one-line "
                "field takes no control characters");
  patch_refused(R"({"description": ")" + std::string(2u << 20, 'd') + R"("})",
                "patch: JSON text of 2097171 bytes is over the limit of 1048576 bytes");
  EXPECT_EQ(count(), 1u);
}

TEST_F(RecordRules, ARecordStoredUnderLooserRulesStaysReadableAndChangeable) {
  // Fields outside the search index, so the index stays true to the documents.
  const Record r = client.create(titled("clean"));
  store_as_older_version(r.id, "$.source", "x\x1b[2Jy");
  store_as_older_version(r.id, "$.variationDetail", std::string(20000, 'd'));

  EXPECT_EQ(client.get(r.id).source, "x\x1b[2Jy");
  EXPECT_EQ(client.list().records.at(0).source, "x\x1b[2Jy");
  // Other fields can change; the old values stay as they are.
  const Record tagged = client.update(r.id, R"({"tags": ["kept"]})");
  EXPECT_EQ(tagged.tags, std::vector<std::string>{"kept"});
  EXPECT_EQ(tagged.source, "x\x1b[2Jy");
  EXPECT_EQ(tagged.variation_detail->size(), 20000u);
  // Whatever is written anew follows the rules.
  EXPECT_EQ(error_of([&] { client.update(r.id, R"({"source": "still\u001b bad"})"); }).first,
            Errc::invalid);
  EXPECT_EQ(client.update(r.id, R"({"source": "fixed"})").source, "fixed");
}

TEST_F(RecordRules, SearchTextMustBeUtf8) {
  client.create(titled("café"));
  EXPECT_EQ(error_of([&] { client.search("caf\xe9"); }),
            std::pair(Errc::invalid, std::string("text: is not valid UTF-8 (at byte 3)")));
  EXPECT_EQ(client.search("café").records.size(), 1u);
}

TEST(PersistErrorMessage, IsFittedToItsFieldWhenTheJobEnds) {
  test::TempDir dir;
  auto catalog = test::open_catalog(dir.path() / "catalog.sqlite");
  auto jobs = catalog->persist_jobs("a", 10s, [] { return std::int64_t{1'700'000'000'000}; });
  Record upload = titled("upload");
  upload.storage_provider = StorageProvider::convex;
  upload.storage_persist_status = PersistStatus::pending;
  upload.storage_id = "0123456789abcdef0123456789abcdef";
  const auto id = jobs->insert_with_job(upload).record.id;
  const auto job = jobs->claim();
  ASSERT_TRUE(job);
  // What a failure can quote: a file name with an escape sequence, a byte that is not UTF-8, a
  // long server answer.
  const std::string message =
      "cannot read 'x\x1b[2J\xff.png': " + std::string(limits::persist_error_chars, 'e');
  ASSERT_TRUE(jobs->fail(*job, message, catalog::FailureKind::transient, [&](Record& record) {
    record.storage_persist_status = PersistStatus::failed;
    record.storage_persist_error = message;
    return true;
  }));
  const auto stored = catalog->get(id).storage_persist_error.value_or("");
  EXPECT_EQ(stored.rfind("cannot read 'x [2J\xef\xbf\xbd.png': eee", 0), 0u) << stored;
  EXPECT_TRUE(stored.ends_with("e...")) << stored.substr(stored.size() - 10);
  EXPECT_EQ(catalog->get(id).storage_persist_status, PersistStatus::failed);
}

}  // namespace
}  // namespace pindeck
