// SPDX-License-Identifier: Apache-2.0
// migrate_catalog (pindeck/migrate.hpp) between a SQLite file and the test PostgreSQL server: a
// 10,000-record catalog with lineage, tags, palettes, a project row, persist jobs in every state
// and queued deletions goes to PostgreSQL and back losing nothing; a second run copies nothing; a
// run stopped half-way finishes when run again; wrong locations are refused before anything is
// created, never echoing a password.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "expect_error.hpp"
#include "pg_test_env.hpp"
#include "pindeck/error.hpp"
#include "pindeck/migrate.hpp"
#include "temp_dir.hpp"
#include "util/clock.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using catalog::Catalog;
using catalog::CatalogEntry;
using catalog::DeleteJobSnapshot;

constexpr int variations = 300;  // 200 children of originals, 100 grandchildren
constexpr int staged_jobs = 40;

std::string two_hex(int value) {
  constexpr char digits[] = "0123456789abcdef";
  return {digits[(value / 16) % 16], digits[value % 16]};
}

// A record as an upload leaves it: staged (its 32-hex-digit staged copy id made of `n`), waiting
// for its job.
Record staged_upload(int n) {
  Record record;
  record.title = "upload " + std::to_string(n);
  record.source_type = SourceType::upload;
  record.storage_provider = StorageProvider::convex;
  record.storage_persist_status = PersistStatus::pending;
  record.storage_id = std::string(30, 'a') + two_hex(n);
  return record;
}

bool keep_record(Record&) {
  return true;
}

// Original number `i`, its fields varied so that every column and side table has values and gaps.
Record original(int i) {
  const std::string n = std::to_string(i);
  Record r;
  r.title = "photo " + n + " word" + std::to_string(i % 50);
  if (i % 4 == 0) r.description = "a quiet street at dusk " + n;
  r.tags = {"t" + std::to_string(i % 7), "all"};
  r.category = i % 2 == 0 ? "General" : "Film";
  if (i % 5 == 0) r.colors = std::vector<std::string>{"#" + two_hex(i) + "40c0", "#102030"};
  if (i < 100) r.project_name = "row";
  if (i % 3 == 0) r.external_id = "ext-" + n;
  if (i % 11 == 0) r.generation_artifact_key = "gen-" + n;
  if (i % 9 == 0) r.genre = "Noir";
  if (i % 6 == 0) r.status = RecordStatus::active;
  r.likes = i % 13;
  r.views = i % 17;
  r.uploaded_at = 1'700'000'000'000 + std::int64_t{i / 2} * 1000;  // pairs share a time
  return r;
}

// Fills `catalog` with `size` records through the ordinary calls: originals in batches,
// variations two generations deep, a project row ordered, a counter bumped, staged records with
// jobs queued, claimed, retried later and failed (for two staging sites), and two records deleted
// with their staged copies (queued deletions).
void fill(Catalog& catalog, int size) {
  const int originals = size - variations - staged_jobs;
  std::vector<std::string> original_ids;
  std::vector<Record> batch;
  for (int i = 0; i < originals; ++i) {
    batch.push_back(original(i));
    if (batch.size() == 1000 || i + 1 == originals) {
      for (auto& created : catalog.insert_batch(std::move(batch))) {
        original_ids.push_back(created.record.id);
      }
      batch.clear();
    }
  }
  std::vector<std::string> child_ids;
  for (int generation = 0; generation < 2; ++generation) {
    const int count = generation == 0 ? 200 : variations - 200;
    for (int i = 0; i < count; ++i) {
      Record v;
      v.title = "variation " + std::to_string(generation) + "-" + std::to_string(i);
      v.parent_image_id = generation == 0
                              ? original_ids[static_cast<std::size_t>(i) * 7 % original_ids.size()]
                              : child_ids[static_cast<std::size_t>(i)];
      v.variation_type = i % 2 == 0 ? VariationType::shot_type : VariationType::style;
      batch.push_back(std::move(v));
    }
    for (auto& created : catalog.insert_batch(std::move(batch))) {
      child_ids.push_back(created.record.id);
    }
    batch.clear();
  }
  std::vector<std::string> row(original_ids.begin(), original_ids.begin() + 100);
  std::reverse(row.begin(), row.end());
  catalog.set_project_order("row", row);
  catalog.increment(original_ids[1], Counter::likes, 1000);

  auto any_worker = catalog.persist_jobs("host-a", 1h);
  auto site_only = catalog.persist_jobs("host-a", 1h, util::system_now_ms, "host-a-disk");
  for (int i = 0; i < staged_jobs; ++i) {
    (i % 2 == 0 ? any_worker : site_only)->insert_with_job(staged_upload(i));
  }
  for (int i = 0; i < 12; ++i) {
    auto job = site_only->claim();
    ASSERT_TRUE(job);
    if (i < 2) {
      ASSERT_TRUE(
          site_only->fail(*job, "undecodable image", catalog::FailureKind::permanent, keep_record));
    } else if (i < 4) {
      ASSERT_TRUE(site_only->fail(*job, "no such bucket", catalog::FailureKind::configuration,
                                  keep_record));
    } else if (i < 8) {
      ASSERT_TRUE(site_only->retry_later(*job, 1h, "PutObject: 503 Slow Down", keep_record));
    }  // the last four stay claimed
  }

  for (int i = 0; i < 2; ++i) {
    const auto id = catalog.insert(staged_upload(100 + i)).record.id;
    ASSERT_EQ(catalog.remove_records({id}, false, false).size(), 1u);
  }
}

std::vector<CatalogEntry> all_entries(Catalog& catalog) {
  std::vector<CatalogEntry> all;
  for (std::string after;;) {
    auto page = catalog.export_after(after, 1000);
    if (page.empty()) return all;
    after = page.back().record.id;
    std::move(page.begin(), page.end(), std::back_inserter(all));
  }
}

// The queued deletions, their place in the catalog left out (it differs between catalogs).
std::vector<std::string> all_deletions(Catalog& catalog) {
  std::vector<std::string> all;
  for (std::int64_t after = 0;;) {
    const auto page = catalog.export_delete_jobs_after(after, 1000);
    if (page.empty()) return all;
    after = page.back().position;
    for (const auto& job : page) {
      all.push_back(job.record_id + " " + job.provider.value_or("-") + " " +
                    job.bucket.value_or("-") + " " + nlohmann::json(job.object_keys).dump() + " " +
                    job.staged_id.value_or("-") + " " + std::to_string(job.next_attempt_at) + " " +
                    std::to_string(job.attempts) + " " + job.last_error.value_or("-") + " " +
                    std::to_string(job.created_at));
    }
  }
}

std::vector<std::string> ids_of(const RecordPage& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.records) ids.push_back(r.id);
  return ids;
}

// The two backends rank search results each their own way: which records match is what counts.
std::vector<std::string> sorted_ids_of(const RecordPage& page) {
  auto ids = ids_of(page);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// What queries answer from the side tables (tags, colour rows, search text, lineage, project
// order), which a copy must have rebuilt, not only the records' documents.
std::vector<std::vector<std::string>> query_answers(Catalog& catalog, const std::string& parent) {
  RecordQuery project;
  project.project_name = "row";
  project.order = RecordOrder::project_row;
  project.limit = 1000;
  RecordQuery tagged;
  tagged.tags = {"t3", "all"};
  tagged.limit = 1000;
  RecordQuery coloured;
  coloured.color = "#8040c0";
  coloured.color_distance = 20;
  coloured.limit = 1000;
  RecordQuery newest;
  newest.limit = 1000;
  RecordQuery words;
  words.limit = 1000;
  return {ids_of(catalog.list(project)),
          ids_of(catalog.list(tagged)),
          ids_of(catalog.list(coloured)),
          ids_of(catalog.list(newest)),
          sorted_ids_of(catalog.search("quiet stree", words)),
          ids_of(catalog.children(parent, words))};
}

// Every record field by field (as its JSON), every persist job by state, every queued deletion,
// and the order in which the catalog stored them.
void expect_same_catalog(Catalog& expected, Catalog& actual) {
  const auto want = all_entries(expected);
  const auto got = all_entries(actual);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].record.id, want[i].record.id) << "stored in another order, at " << i;
    EXPECT_EQ(record_to_json(actual.get(want[i].record.id)), record_to_json(want[i].record));
    EXPECT_EQ(got[i].persist_job, want[i].persist_job) << "the job of " << want[i].record.id;
  }
  EXPECT_EQ(all_deletions(actual), all_deletions(expected));
  const std::string parent = want.front().record.id;
  EXPECT_EQ(query_answers(actual, parent), query_answers(expected, parent));
}

struct MigrateTest : ::testing::Test {
  test::TempDir dir;
  std::string source = "sqlite:" + (dir.path() / "source.sqlite").string();
  std::string postgres = test::pg_database_for(dir.path() / "postgres");
  std::string back = "sqlite:" + (dir.path() / "back.sqlite").string();
};

TEST_F(MigrateTest, ACatalogGoesToPostgresqlAndBackLosingNothing) {
  constexpr int size = 10'000;
  auto from = catalog::open_catalog_at(source);
  ASSERT_NO_FATAL_FAILURE(fill(*from, size));

  const auto there = migrate_catalog(source, postgres);
  EXPECT_EQ(there.records_copied, size);
  EXPECT_EQ(there.records_skipped, 0);
  EXPECT_EQ(there.jobs_copied, staged_jobs);
  EXPECT_EQ(there.delete_jobs_copied, 2);
  const auto back_again = migrate_catalog(postgres, back);
  EXPECT_EQ(back_again.records_copied, size);
  EXPECT_EQ(back_again.jobs_copied, staged_jobs);
  EXPECT_EQ(back_again.delete_jobs_copied, 2);

  auto on_postgres = catalog::open_catalog_at(postgres);
  auto returned = catalog::open_catalog_at(back);
  expect_same_catalog(*from, *on_postgres);
  expect_same_catalog(*from, *returned);

  // Jobs claimed at the source are queued again, their lease dropped: a worker of the staging
  // site claims them with every other due job; failed ones and those retried later wait.
  const auto counts = returned->persist_jobs("host-b", 1h)->counts();
  EXPECT_EQ(counts.queued, staged_jobs - 4);
  EXPECT_EQ(counts.failed, 4);
  auto worker = returned->persist_jobs("host-b", 1h, util::system_now_ms, "host-a-disk");
  int claimed = 0;
  while (worker->claim()) ++claimed;
  EXPECT_EQ(claimed, staged_jobs - 4 - 4);
}

TEST_F(MigrateTest, ASecondRunCopiesNothingAndChangesNothing) {
  auto from = catalog::open_catalog_at(source);
  ASSERT_NO_FATAL_FAILURE(fill(*from, 1000));
  ASSERT_EQ(migrate_catalog(source, postgres).records_copied, 1000);

  auto on_postgres = catalog::open_catalog_at(postgres);
  const auto before = all_entries(*on_postgres);
  const auto again = migrate_catalog(source, postgres, {.batch = 300, .progress = nullptr});
  EXPECT_EQ(again.records_copied, 0);
  EXPECT_EQ(again.records_skipped, 1000);
  EXPECT_EQ(again.jobs_copied, 0);
  EXPECT_EQ(again.delete_jobs_copied, 0);
  const auto after = all_entries(*on_postgres);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].record, before[i].record);
    EXPECT_EQ(after[i].persist_job, before[i].persist_job);
  }
  EXPECT_EQ(all_deletions(*on_postgres).size(), 2u);
}

TEST_F(MigrateTest, ARunStoppedHalfWayFinishesWhenRunAgain) {
  constexpr int size = 5000;
  auto from = catalog::open_catalog_at(source);
  ASSERT_NO_FATAL_FAILURE(fill(*from, size));

  std::int64_t stopped_at = 0;
  MigrateOptions stopping{.batch = 500, .progress = [&](std::int64_t copied) {
                            stopped_at = copied;
                            if (copied >= 3000) throw std::runtime_error("operator pressed ^C");
                          }};
  EXPECT_THROW(migrate_catalog(source, postgres, stopping), std::runtime_error);
  ASSERT_EQ(stopped_at, 3000);
  EXPECT_EQ(all_entries(*catalog::open_catalog_at(postgres)).size(), 3000u);

  const auto finished = migrate_catalog(source, postgres);
  EXPECT_EQ(finished.records_copied, size - 3000);
  EXPECT_EQ(finished.records_skipped, 3000);
  EXPECT_EQ(finished.delete_jobs_copied, 2);
  expect_same_catalog(*from, *catalog::open_catalog_at(postgres));
}

// A record given a parent stored after it comes before its parent in every page; with a page of
// one record, it is held back until its parent is copied.
TEST_F(MigrateTest, AVariationGivenANewerParentIsCopiedAfterIt) {
  auto from = catalog::open_catalog_at(source);
  std::vector<std::string> ids;
  for (const char* title : {"oldest", "middle", "newest"}) {
    Record r;
    r.title = title;
    ids.push_back(from->insert(r).record.id);
  }
  from->update(ids[1], {{"parentImageId", ids[2]}, {"variationType", "style"}});
  from->update(ids[0], {{"parentImageId", ids[1]}, {"variationType", "shot_type"}});

  const auto report = migrate_catalog(source, postgres, {.batch = 1, .progress = nullptr});
  EXPECT_EQ(report.records_copied, 3);
  EXPECT_EQ(report.records_skipped, 0);
  auto to = catalog::open_catalog_at(postgres);
  for (const auto& id : ids) EXPECT_EQ(to->get(id), from->get(id));
  EXPECT_EQ(to->root(ids[0]).id, ids[2]);
}

TEST_F(MigrateTest, WrongLocationsAreRefusedCreatingNothing) {
  const auto target = dir.path() / "never.sqlite";
  const std::string never = "sqlite:" + target.string();
  catalog::open_catalog_at(source);

  test::expect_error([&] { migrate_catalog(source, "mysql://admin:hunter2@db/pins"); },
                     Errc::invalid, "to: catalog: unknown kind 'mysql:'");
  test::expect_error([&] { migrate_catalog("mysql://admin:hunter2@db/pins", never); },
                     Errc::invalid, "from: catalog: unknown kind 'mysql:'");
  test::expect_error([&] { migrate_catalog(source, source); }, Errc::invalid,
                     "to: names the catalog migrated from (" + source + ")");
  test::expect_error(
      [&] { migrate_catalog(source, "sqlite:" + (dir.path() / "." / "source.sqlite").string()); },
      Errc::invalid, "names the catalog migrated from");
  test::expect_error([&] { migrate_catalog(never, back); }, Errc::not_found,
                     "from: there is no catalog at " + never);
  test::expect_error([&] { migrate_catalog(source, back, {.batch = 0, .progress = nullptr}); },
                     Errc::invalid, "batch: must be from 1 to 10000, not 0");

  const std::string with_password = "postgresql://admin:hunter2@127.0.0.1:1/pins";
  try {
    migrate_catalog(with_password, with_password);
    ADD_FAILURE() << "the same PostgreSQL catalog twice was not refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
  }
  try {
    migrate_catalog(source, with_password);
    ADD_FAILURE() << "a server that is not there was not refused";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("to: ", 0), 0u) << e.what();
  }

  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "back.sqlite"));
}

}  // namespace
}  // namespace pindeck
