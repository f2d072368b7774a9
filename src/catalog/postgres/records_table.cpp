// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/records_table.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/colour_near.hpp"
#include "catalog/postgres/connection.hpp"
#include "catalog/record_rules.hpp"
#include "catalog/record_text.hpp"
#include "model/enums.hpp"
#include "model/ids.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog::postgres {

namespace {

// The record in the first column of the first row a statement selects, if any.
std::optional<Record> find_by(Connection& db, std::string_view sql, std::string_view value) {
  auto rows = db.exec(sql, {value});
  if (rows.empty()) return std::nullopt;
  return record_from_doc(rows.text(0, 0));
}

// The stored record holding r's externalId or else its generationArtifactKey, in that order.
std::optional<Record> stored_with_same_key(Connection& db, const Record& r) {
  if (r.external_id) {
    if (auto stored = find_record_by(db, RecordKey::external_id, *r.external_id)) return stored;
  }
  if (r.generation_artifact_key) {
    return find_record_by(db, RecordKey::generation_artifact_key, *r.generation_artifact_key);
  }
  return std::nullopt;
}

// Refuses a value of a unique column that another record (not `self_pk`) already holds.
void require_unused(Connection& db, std::string_view sql, std::string_view field,
                    const std::optional<std::string>& value, std::int64_t self_pk) {
  if (!value) return;
  auto rows = db.exec(sql, {*value, self_pk});
  if (!rows.empty()) {
    throw Error(Errc::conflict, std::string(field) + ": " + json_quoted(*value) +
                                    " is already used by record " + rows.text(0, 0));
  }
}

// Checked before the UPDATE rather than after its unique violation (as SQLite does): a failed
// statement aborts the whole PostgreSQL transaction, so nothing could be read to name the holder.
// Only keys that change are checked, since a record's own keys are unique already. A holder that
// commits between this check and the UPDATE still makes the UPDATE fail with Errc::conflict.
void require_unique_keys(Connection& db, const Record& r, const Record& stored,
                         std::int64_t self_pk) {
  if (r.external_id != stored.external_id) {
    require_unused(db, "SELECT id FROM records WHERE external_id = $1 AND pk <> $2::bigint",
                   "externalId", r.external_id, self_pk);
  }
  if (r.generation_artifact_key != stored.generation_artifact_key) {
    require_unused(db,
                   "SELECT id FROM records WHERE generation_artifact_key = $1 AND pk <> $2::bigint",
                   "generationArtifactKey", r.generation_artifact_key, self_pk);
  }
}

// catalog::require_parent, reading each ancestor's parent from the table. The parent's row stays
// locked against deletion until the commit (FOR KEY SHARE: other readers and writers of its
// fields go on), so a host removing it at the same moment waits and then finds the new variation
// instead of leaving it an orphan.
void require_parent(Connection& db, const Record& r) {
  catalog::require_parent(r, [&](const std::string& id) -> std::optional<StoredParent> {
    auto rows = db.exec(id == r.parent_image_id
                            ? "SELECT parent_image_id FROM records WHERE id = $1 FOR KEY SHARE"
                            : "SELECT parent_image_id FROM records WHERE id = $1",
                        {id});
    if (rows.empty()) return std::nullopt;
    return StoredParent{rows.optional_text(0, 0)};
  });
}

// $1..$23 are the records columns in the order the INSERT and UPDATE below name them; $24..$26
// are the rest of the search text (the title is $4). The UPDATE adds the pk as $27.
std::vector<Param> column_values(const Record& r) {
  return {r.id,
          r.unique_id,
          r.uploaded_at,
          r.title,
          r.category,
          r.group,
          r.project_name,
          r.project_order.value_or(std::numeric_limits<std::int64_t>::max()),
          r.moodboard_name,
          enum_text(r.source_type),
          enum_text(r.status),
          r.parent_image_id,
          r.external_id,
          r.generation_artifact_key,
          r.source_url,
          r.genre,
          r.style,
          r.shot,
          enum_text(r.ai_status),
          enum_text(r.variation_type),
          r.likes,
          r.views,
          record_doc(r),
          r.description,
          joined_tags(r),
          r.sref};
}

// ON CONFLICT DO NOTHING: a record holding one of the unique keys, committed by another process
// after insert_record looked, makes this return no row instead of aborting the transaction.
constexpr std::string_view insert_sql =
    "INSERT INTO records (id, unique_id, uploaded_at, title, category, group_name, project_name, "
    "project_sort, moodboard_name, source_type, status, parent_image_id, external_id, "
    "generation_artifact_key, source_url, genre, style, shot, ai_status, variation_type, likes, "
    "views, doc, search) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
    "$20, $21, $22, $23, pindeck_search_vector($4, $24, $25, $26)) "
    "ON CONFLICT DO NOTHING RETURNING pk";

constexpr std::string_view update_sql =
    "UPDATE records SET id = $1, unique_id = $2, uploaded_at = $3, title = $4, category = $5, "
    "group_name = $6, project_name = $7, project_sort = $8, moodboard_name = $9, "
    "source_type = $10, status = $11, parent_image_id = $12, external_id = $13, "
    "generation_artifact_key = $14, source_url = $15, genre = $16, style = $17, shot = $18, "
    "ai_status = $19, variation_type = $20, likes = $21, views = $22, doc = $23, "
    "search = pindeck_search_vector($4, $24, $25, $26) WHERE pk = $27";

// The tag rows and colour rows of a record are written in one statement each, from a JSON array,
// rather than one round trip per row.
void write_tags(Connection& db, std::int64_t pk, const Record& r) {
  if (r.tags.empty()) return;
  db.exec(
      "INSERT INTO record_tags (tag, uploaded_at, record_pk) "
      "SELECT tag, $2::bigint, $3::bigint FROM jsonb_array_elements_text($1::jsonb) AS tag",
      {nlohmann::json(r.tags).dump(), r.uploaded_at, pk});
}

// The colour index's rows of a record: one per #rrggbb colour of its palette, once each whatever
// case the palette spells it in.
void write_colours(Connection& db, std::int64_t pk, const Record& r) {
  if (!r.colors) return;
  auto rgb = nlohmann::json::array();
  for (const auto& text : *r.colors) {
    if (auto c = parse_stored_colour(text)) rgb.push_back({c->r, c->g, c->b});
  }
  if (rgb.empty()) return;
  db.exec(
      "INSERT INTO record_colors (r, g, b, record_pk) "
      "SELECT DISTINCT (c->>0)::integer, (c->>1)::integer, (c->>2)::integer, $2::bigint "
      "FROM jsonb_array_elements($1::jsonb) AS c",
      {rgb.dump(), pk});
}

}  // namespace

std::optional<Record> find_record(Connection& db, std::string_view id) {
  return find_by(db, "SELECT doc FROM records WHERE id = $1", id);
}

std::optional<Record> find_record_by(Connection& db, RecordKey key, std::string_view value) {
  switch (key) {
    case RecordKey::external_id:
      return find_by(db, "SELECT doc FROM records WHERE external_id = $1", value);
    case RecordKey::generation_artifact_key:
      return find_by(db, "SELECT doc FROM records WHERE generation_artifact_key = $1", value);
    case RecordKey::source_url:
      return find_by(db, "SELECT doc FROM records WHERE source_url = $1 ORDER BY pk LIMIT 1",
                     value);
  }
  throw Error(Errc::internal, "unknown record key");
}

Record load_record(Connection& db, std::string_view id) {
  auto record = find_record(db, id);
  if (!record) throw Error(Errc::not_found, "no record with id " + json_quoted(id));
  return std::move(*record);
}

std::optional<Record> find_record_to_change(Connection& db, std::string_view id) {
  return find_by(db, "SELECT doc FROM records WHERE id = $1 FOR UPDATE", id);
}

Record load_record_to_change(Connection& db, std::string_view id) {
  auto record = find_record_to_change(db, id);
  if (!record) throw Error(Errc::not_found, "no record with id " + json_quoted(id));
  return std::move(*record);
}

CreateResult insert_record(Connection& db, Record r) {
  if (!r.id.empty()) throw Error(Errc::invalid, "id: is assigned by the library; leave it out");
  model::validate(r);  // first: 5,000,000 repeated tags are refused, not deduplicated
  model::drop_repeated_tags(r);
  require_parent(db, r);
  if (auto stored = stored_with_same_key(db, r)) return {std::move(*stored), false};
  const std::int64_t now = util::system_now_ms();
  if (r.unique_id.empty()) r.unique_id = model::new_unique_id(now);
  if (r.uploaded_at == 0) r.uploaded_at = now;

  // A conflict that leaves no record holding r's keys means the holder was removed again (or,
  // unheard of, the fresh id was taken): the insert is retried with a new id, as it would have
  // succeeded had it come after that removal.
  constexpr int attempts = 3;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    r.id = model::new_record_id(util::system_now_ms());
    const auto values = column_values(r);
    auto inserted = db.exec(insert_sql, values);
    if (!inserted.empty()) {
      const std::int64_t pk = inserted.integer(0, 0);
      write_tags(db, pk, r);
      write_colours(db, pk, r);
      return {std::move(r), true};
    }
    // ON CONFLICT waited for the other transaction to commit, so this statement sees its record.
    if (auto stored = stored_with_same_key(db, r)) return {std::move(*stored), false};
  }
  throw Error(Errc::conflict,
              "record: its externalId or generationArtifactKey kept being taken "
              "and released by other writers while it was inserted; try again");
}

void replace_record(Connection& db, const Record& r) {
  // FOR UPDATE: concurrent writers of this record wait, so `stored` says which tag and colour
  // rows exist until this transaction ends.
  auto rows = db.exec("SELECT pk, doc FROM records WHERE id = $1 FOR UPDATE", {r.id});
  if (rows.empty()) throw Error(Errc::not_found, "no record with id " + json_quoted(r.id));
  const std::int64_t pk = rows.integer(0, 0);
  const Record stored = record_from_doc(rows.text(0, 1));
  model::validate_change(stored, r);
  if (r.parent_image_id != stored.parent_image_id) require_parent(db, r);
  require_unique_keys(db, r, stored, pk);

  auto values = column_values(r);
  values.emplace_back(pk);
  db.exec(update_sql, values);

  // Rows are rewritten only when what they hold changed (tag rows carry uploadedAt too), so that a
  // change of status does not churn the indexes; they are deleted by record_pk rather than one by
  // one from `stored`, so they cannot drift from the document.
  if (r.tags != stored.tags || r.uploaded_at != stored.uploaded_at) {
    db.exec("DELETE FROM record_tags WHERE record_pk = $1::bigint", {pk});
    write_tags(db, pk, r);
  }
  if (r.colors != stored.colors) {
    db.exec("DELETE FROM record_colors WHERE record_pk = $1::bigint", {pk});
    write_colours(db, pk, r);
  }
}

std::int64_t increment_counter(Connection& db, std::string_view id, Counter counter,
                               std::int64_t delta) {
  check_counter_increment(counter, delta);
  // One statement: the column and the document change together, whoever else is counting. The
  // column name is one of two fixed names, never input. The document comes back as jsonb's text
  // (its own spacing and key order), which every reader parses to the same record.
  const std::string column(model::to_string(counter));
  auto rows = db.exec("UPDATE records SET " + column + " = " + column +
                          " + $2::bigint, doc = " + "jsonb_set(doc::jsonb, '{" + column +
                          "}', to_jsonb(" + column + " + $2::bigint))::text WHERE id = $1 AND " +
                          column + " + $2::bigint BETWEEN 0 AND $3::bigint RETURNING " + column,
                      {id, delta, limits::count});
  if (!rows.empty()) return rows.integer(0, 0);
  const Record stored = load_record(db, id);
  const std::int64_t now = counter == Counter::likes ? stored.likes : stored.views;
  refuse_counter_change(counter, now, delta);
}

void delete_record(Connection& db, const Record& stored) {
  auto rows = db.exec("DELETE FROM records WHERE id = $1 RETURNING pk", {stored.id});
  if (rows.empty()) throw Error(Errc::not_found, "no record with id " + json_quoted(stored.id));
}

}  // namespace pindeck::catalog::postgres
