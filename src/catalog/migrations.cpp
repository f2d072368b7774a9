// SPDX-License-Identifier: Apache-2.0
#include "catalog/migrations.hpp"

#include <array>
#include <string>

#include "catalog/delete_queue_schema.hpp"
#include "catalog/job_queue_schema.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

// v1: records (the whole record as JSON in `doc`, plus the columns filters and sorting need) and
// their tags. Few indexes on purpose: each one costs every insert; sourceType, for instance, has
// four values and is served well enough by scanning the time index.
constexpr std::string_view v1_records = R"sql(
CREATE TABLE records (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  unique_id TEXT NOT NULL UNIQUE,
  uploaded_at INTEGER NOT NULL,
  title TEXT NOT NULL,
  category TEXT NOT NULL,
  group_name TEXT,
  project_name TEXT,
  -- projectOrder, or the largest integer when unset, so that unordered records come last
  project_sort INTEGER NOT NULL,
  moodboard_name TEXT,
  source_type TEXT,
  status TEXT,
  parent_image_id TEXT,
  external_id TEXT UNIQUE,
  generation_artifact_key TEXT UNIQUE,
  doc TEXT NOT NULL
);
-- The rowid ends every index, so (x, uploaded_at) also serves ORDER BY uploaded_at, pk.
CREATE INDEX records_by_time ON records (uploaded_at);
CREATE INDEX records_by_category ON records (category, uploaded_at);
CREATE INDEX records_by_group ON records (group_name, uploaded_at);
CREATE INDEX records_by_project ON records (project_name, project_sort, title);
CREATE INDEX records_by_moodboard ON records (moodboard_name, uploaded_at);
CREATE INDEX records_by_status ON records (status, uploaded_at);
CREATE INDEX records_by_parent ON records (parent_image_id) WHERE parent_image_id IS NOT NULL;

-- uploaded_at is the record's, so that a tag's records come out newest first straight from the
-- key. The catalog deletes a record's tag rows itself, by full key from the record's own tag list,
-- so no second index (and no foreign key) is needed.
CREATE TABLE record_tags (
  tag TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  record_pk INTEGER NOT NULL,
  PRIMARY KEY (tag, uploaded_at, record_pk)
) WITHOUT ROWID;
)sql";

// v2: full-text search over title, description, tags and sref; its rowid is records.pk. The
// index is contentless (the text already lives in records), so removing a row's entry takes its
// old values (see records_table.cpp). prefix = '3' keeps 3-character prefixes (the shortest a
// search expands, see record_queries.hpp) in their own index. Records written by v1 are indexed
// here.
constexpr std::string_view v2_search = R"sql(
CREATE VIRTUAL TABLE records_fts USING fts5 (
  title, description, tags, sref,
  content = '',
  prefix = '3',
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO records_fts (rowid, title, description, tags, sref)
SELECT pk, title, json_extract(doc, '$.description'),
       (SELECT group_concat(value, ' ') FROM json_each(doc, '$.tags')),
       json_extract(doc, '$.sref')
FROM records;
)sql";

// v6: the palette's colours as rows, for "colour near" (record_queries.cpp, colour_near.hpp):
// keyed by red, green, blue, so a search reads only the box of colours that can be near, and
// WITHOUT ROWID so the key is the whole row. As with tags, the catalog deletes a record's rows by
// full key from the record's own colour list. Only #rrggbb colours (any case: older versions may
// have stored such) get a row, in the catalog's code and here alike.
constexpr std::string_view v6_colours = R"sql(
CREATE TABLE record_colors (
  r INTEGER NOT NULL,
  g INTEGER NOT NULL,
  b INTEGER NOT NULL,
  record_pk INTEGER NOT NULL,
  PRIMARY KEY (r, g, b, record_pk)
) WITHOUT ROWID;
INSERT OR IGNORE INTO record_colors (r, g, b, record_pk)
SELECT (instr('0123456789abcdef', substr(c, 2, 1)) - 1) * 16
         + instr('0123456789abcdef', substr(c, 3, 1)) - 1,
       (instr('0123456789abcdef', substr(c, 4, 1)) - 1) * 16
         + instr('0123456789abcdef', substr(c, 5, 1)) - 1,
       (instr('0123456789abcdef', substr(c, 6, 1)) - 1) * 16
         + instr('0123456789abcdef', substr(c, 7, 1)) - 1,
       pk
FROM (SELECT records.pk AS pk, lower(colour.value) AS c
      FROM records, json_each(records.doc, '$.colors') AS colour
      WHERE json_type(records.doc, '$.colors') = 'array' AND colour.type = 'text')
WHERE c GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]';
)sql";

// v7: the rest of Pindeck's record (genre, style, shot, aiStatus, likes, views, variationType) as
// columns for filters, counts and atomic increments. Older records have none of them: the labels
// are NULL and the counters 0, as their documents read. genre and style get indexes because
// Pindeck's sidebar counts them (Client::stats), shot because Pindeck filters on it; sourceType
// gets one now for the same counts, which otherwise read every document.
constexpr std::string_view v7_pindeck_fields = R"sql(
ALTER TABLE records ADD COLUMN genre TEXT;
ALTER TABLE records ADD COLUMN style TEXT;
ALTER TABLE records ADD COLUMN shot TEXT;
ALTER TABLE records ADD COLUMN ai_status TEXT;
ALTER TABLE records ADD COLUMN variation_type TEXT;
ALTER TABLE records ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN views INTEGER NOT NULL DEFAULT 0;
CREATE INDEX records_by_genre ON records (genre, uploaded_at);
CREATE INDEX records_by_style ON records (style, uploaded_at);
CREATE INDEX records_by_shot ON records (shot, uploaded_at);
CREATE INDEX records_by_source_type ON records (source_type, uploaded_at);
)sql";

// v8: uniqueId is no longer unique. Pindeck gives a variation its parent's uniqueId (DESIGN §7), so
// a library moved in from Pindeck, and every variation registered here, shares it. SQLite cannot
// drop a constraint, so the table is rebuilt (same pk, so the search index's rowids still match)
// with every index of v1 and v7, plus one on uniqueId (it groups a family) and one on sourceUrl
// (URL ingest looks records up by it). migrate() turns foreign keys off around this.
constexpr std::string_view v8_shared_unique_id = R"sql(
CREATE TABLE records_v8 (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  unique_id TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  title TEXT NOT NULL,
  category TEXT NOT NULL,
  group_name TEXT,
  project_name TEXT,
  project_sort INTEGER NOT NULL,
  moodboard_name TEXT,
  source_type TEXT,
  status TEXT,
  parent_image_id TEXT,
  external_id TEXT UNIQUE,
  generation_artifact_key TEXT UNIQUE,
  doc TEXT NOT NULL,
  genre TEXT,
  style TEXT,
  shot TEXT,
  ai_status TEXT,
  variation_type TEXT,
  likes INTEGER NOT NULL DEFAULT 0,
  views INTEGER NOT NULL DEFAULT 0
);
INSERT INTO records_v8 (pk, id, unique_id, uploaded_at, title, category, group_name, project_name,
                        project_sort, moodboard_name, source_type, status, parent_image_id,
                        external_id, generation_artifact_key, doc, genre, style, shot, ai_status,
                        variation_type, likes, views)
  SELECT pk, id, unique_id, uploaded_at, title, category, group_name, project_name, project_sort,
         moodboard_name, source_type, status, parent_image_id, external_id,
         generation_artifact_key, doc, genre, style, shot, ai_status, variation_type, likes, views
  FROM records;
DROP TABLE records;
ALTER TABLE records_v8 RENAME TO records;
CREATE INDEX records_by_time ON records (uploaded_at);
CREATE INDEX records_by_category ON records (category, uploaded_at);
CREATE INDEX records_by_group ON records (group_name, uploaded_at);
CREATE INDEX records_by_project ON records (project_name, project_sort, title);
CREATE INDEX records_by_moodboard ON records (moodboard_name, uploaded_at);
CREATE INDEX records_by_status ON records (status, uploaded_at);
CREATE INDEX records_by_parent ON records (parent_image_id) WHERE parent_image_id IS NOT NULL;
CREATE INDEX records_by_genre ON records (genre, uploaded_at);
CREATE INDEX records_by_style ON records (style, uploaded_at);
CREATE INDEX records_by_shot ON records (shot, uploaded_at);
CREATE INDEX records_by_source_type ON records (source_type, uploaded_at);
CREATE INDEX records_by_unique_id ON records (unique_id);
CREATE INDEX records_by_source_url ON records (json_extract(doc, '$.sourceUrl'))
  WHERE json_extract(doc, '$.sourceUrl') IS NOT NULL;
)sql";

constexpr std::array<Migration, 9> all{{
    {1, "records and tags", v1_records},
    {2, "full-text search", v2_search},
    {3, "persist jobs", persist_jobs_schema},
    {4, "failure kinds and backfill order of persist jobs", persist_jobs_backfill_schema},
    {5, "delete jobs", delete_jobs_schema},
    {6, "palette colours for colour search", v6_colours},
    {7, "genre, style, shot, aiStatus, likes, views and variationType", v7_pindeck_fields},
    {8, "uniqueId shared by a family; records found by sourceUrl", v8_shared_unique_id},
    {9, "persist jobs claimed only by the workers of the store that staged their bytes",
     persist_jobs_site_schema},
}};

}  // namespace

std::span<const Migration> migrations() {
  return all;
}

int latest_schema_version() {
  return all.back().version;
}

int schema_version(Database& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  stmt.step();
  return static_cast<int>(stmt.integer(0));
}

namespace {

void migrate_in_transaction(Database& db, int target) {
  Transaction tx(db);
  const int current = schema_version(db);
  require_known_schema(db.path().string(), current, all);
  if (current >= target) return;
  apply_migrations(
      all, current, target, [&](std::string_view sql) { db.run_script(sql); },
      [&](int version) {
        // PRAGMA takes no parameters; the version is one of ours, never input.
        db.run_script("PRAGMA user_version = " + std::to_string(version));
      });
  auto check = db.prepare("PRAGMA foreign_key_check");
  if (check.step()) {
    throw Error(Errc::database, "migration of catalog " + db.path().string() +
                                    " left a row of table " + check.text(0) +
                                    " naming a missing record");
  }
  tx.commit();
}

}  // namespace

void migrate(Database& db, int target) {
  // Off while a migration rebuilds a table (v8), as SQLite's procedure for changing a table's
  // schema asks, so that dropping the old table does not cascade; PRAGMA foreign_keys is a no-op
  // inside a transaction, hence out here. Every row is checked before the commit instead.
  db.prepare("PRAGMA foreign_keys=OFF").run();
  try {
    migrate_in_transaction(db, target);
  } catch (...) {
    db.prepare("PRAGMA foreign_keys=ON").run();
    throw;
  }
  db.prepare("PRAGMA foreign_keys=ON").run();
}

}  // namespace pindeck::catalog
