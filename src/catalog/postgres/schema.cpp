// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/schema.hpp"

#include <array>
#include <string>

#include "catalog/postgres/connection.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// v1: the SQLite catalog's tables as of its version 8, with
// - `search`, the record's words for full-text search (pindeck_search_vector; records_table.cpp
//   writes it with the record), in a GIN index;
// - `source_url` as a column, since records are looked up by it;
// - record_tags and record_colors deleted with their record by foreign key (PostgreSQL indexes
//   the referencing column for that, hence the second index on each);
// - delete_jobs.object_keys as jsonb;
// - persist_jobs.staged_at, as the SQLite catalog's version 9 has it.
// Text is folded for search the way SQLite's unicode61 tokenizer with remove_diacritics does:
// lower case, accents removed (unaccent, a trusted extension shipped with PostgreSQL: the
// catalog's owner may create it). The weights rank a match in the title above one in the tags,
// the description and the sref, as SQLite's bm25 does with its default weights only by length.
constexpr std::string_view v1_catalog = R"sql(
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION pindeck_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE FUNCTION pindeck_search_vector(title text, description text, tags text, sref text)
  RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT setweight(to_tsvector('simple', pindeck_fold(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('simple', pindeck_fold(coalesce(tags, ''))), 'B')
        || setweight(to_tsvector('simple', pindeck_fold(coalesce(description, ''))), 'C')
        || setweight(to_tsvector('simple', pindeck_fold(coalesce(sref, ''))), 'D')
  $$;

CREATE TABLE records (
  pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  unique_id text NOT NULL,
  uploaded_at bigint NOT NULL,
  title text NOT NULL,
  category text NOT NULL,
  group_name text,
  project_name text,
  -- projectOrder, or the largest integer when unset, so that unordered records come last
  project_sort bigint NOT NULL,
  moodboard_name text,
  source_type text,
  status text,
  parent_image_id text,
  external_id text UNIQUE,
  generation_artifact_key text UNIQUE,
  source_url text,
  genre text,
  style text,
  shot text,
  ai_status text,
  variation_type text,
  likes bigint NOT NULL DEFAULT 0,
  views bigint NOT NULL DEFAULT 0,
  search tsvector NOT NULL,
  doc text NOT NULL
);
CREATE INDEX records_by_time ON records (uploaded_at, pk);
CREATE INDEX records_by_category ON records (category, uploaded_at, pk);
CREATE INDEX records_by_group ON records (group_name, uploaded_at, pk);
CREATE INDEX records_by_project ON records (project_name, project_sort, title, pk);
CREATE INDEX records_by_moodboard ON records (moodboard_name, uploaded_at, pk);
CREATE INDEX records_by_status ON records (status, uploaded_at, pk);
CREATE INDEX records_by_parent ON records (parent_image_id) WHERE parent_image_id IS NOT NULL;
CREATE INDEX records_by_genre ON records (genre, uploaded_at, pk);
CREATE INDEX records_by_style ON records (style, uploaded_at, pk);
CREATE INDEX records_by_shot ON records (shot, uploaded_at, pk);
CREATE INDEX records_by_source_type ON records (source_type, uploaded_at, pk);
CREATE INDEX records_by_unique_id ON records (unique_id);
CREATE INDEX records_by_source_url ON records (source_url) WHERE source_url IS NOT NULL;
CREATE INDEX records_search ON records USING gin (search);

CREATE TABLE record_tags (
  tag text NOT NULL,
  uploaded_at bigint NOT NULL,
  record_pk bigint NOT NULL REFERENCES records (pk) ON DELETE CASCADE,
  PRIMARY KEY (tag, uploaded_at, record_pk)
);
CREATE INDEX record_tags_by_record ON record_tags (record_pk);

CREATE TABLE record_colors (
  r integer NOT NULL,
  g integer NOT NULL,
  b integer NOT NULL,
  record_pk bigint NOT NULL REFERENCES records (pk) ON DELETE CASCADE,
  PRIMARY KEY (r, g, b, record_pk)
);
CREATE INDEX record_colors_by_record ON record_colors (record_pk);

CREATE TABLE persist_jobs (
  record_id        text PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  state            text NOT NULL CHECK (state IN ('queued', 'failed')),
  lease_owner      text,
  lease_expires_at bigint,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  bigint NOT NULL,
  last_error       text,
  created_at       bigint NOT NULL,
  failure          text CHECK (failure IN ('transient', 'permanent', 'configuration')),
  backfilled_at    bigint,
  -- the first-stage store holding the record's bytes, whose workers alone may claim the job;
  -- NULL when any worker may (Catalog::persist_jobs)
  staged_at        text
);
CREATE INDEX persist_jobs_due ON persist_jobs (state, next_attempt_at);

CREATE TABLE delete_jobs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id        text NOT NULL,
  provider         text,
  bucket           text,
  object_keys      jsonb NOT NULL,
  staged_id        text,
  next_attempt_at  bigint NOT NULL,
  lease_owner      text,
  lease_expires_at bigint,
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  created_at       bigint NOT NULL
);
CREATE INDEX delete_jobs_due ON delete_jobs (next_attempt_at);
CREATE INDEX delete_jobs_by_record ON delete_jobs (record_id);
)sql";

constexpr std::array<Migration, 1> all{{
    {1, "records, tags, colours, search, persist and delete jobs", v1_catalog},
}};

// Any constant both processes agree on: it names the lock that serialises migrations.
constexpr std::int64_t migration_lock = 0x70696e6465636b;  // "pindeck"

}  // namespace

std::span<const Migration> migrations() {
  return all;
}

int latest_schema_version() {
  return all.back().version;
}

int schema_version(Connection& db) {
  if (!db.exec("SELECT to_regclass('pindeck_schema') IS NOT NULL").boolean(0, 0)) return 0;
  auto rows = db.exec("SELECT version FROM pindeck_schema");
  return rows.empty() ? 0 : static_cast<int>(rows.integer(0, 0));
}

void migrate(Connection& db, int target) {
  Transaction tx(db);
  db.exec("SELECT pg_advisory_xact_lock($1::bigint)", {migration_lock});
  db.run_script("CREATE TABLE IF NOT EXISTS pindeck_schema (version integer NOT NULL)");
  auto rows = db.exec("SELECT version FROM pindeck_schema");
  const int current = rows.empty() ? 0 : static_cast<int>(rows.integer(0, 0));
  require_known_schema(db.name(), current, all);
  if (current >= target) return;
  apply_migrations(
      all, current, target, [&](std::string_view sql) { db.run_script(sql); }, [](int) {});
  db.exec("DELETE FROM pindeck_schema");
  db.exec("INSERT INTO pindeck_schema (version) VALUES ($1::integer)", {target});
  tx.commit();
}

}  // namespace pindeck::catalog::postgres
