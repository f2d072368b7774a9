// SPDX-License-Identifier: Apache-2.0
#include "catalog/records_table.hpp"

#include <limits>
#include <string>

#include "catalog/colour_near.hpp"
#include "catalog/record_rules.hpp"
#include "catalog/record_text.hpp"
#include "model/enums.hpp"
#include "model/ids.hpp"
#include "model/validation.hpp"
#include "pindeck/error.hpp"
#include "util/clock.hpp"

namespace pindeck::catalog {

namespace {

std::optional<Record> find_by(Database& db, std::string_view sql, std::string_view key) {
  auto stmt = db.prepare(sql);
  stmt.bind(1, key);
  if (!stmt.step()) return std::nullopt;
  return record_from_doc(stmt.text(0));
}

std::optional<std::int64_t> find_pk(Database& db, std::string_view id) {
  auto stmt = db.prepare("SELECT pk FROM records WHERE id = ?1");
  stmt.bind(1, id);
  if (!stmt.step()) return std::nullopt;
  return stmt.integer(0);
}

// Refuses a value of a unique column that another record (not `self_pk`) already holds.
void require_unused(Database& db, std::string_view sql, std::string_view field,
                    const std::optional<std::string>& value, std::int64_t self_pk) {
  if (!value) return;
  auto stmt = db.prepare(sql);
  stmt.bind(1, *value).bind(2, self_pk);
  if (stmt.step()) {
    throw Error(Errc::conflict, std::string(field) + ": " + json_quoted(*value) +
                                    " is already used by record " + stmt.text(0));
  }
}

void require_unique_keys(Database& db, const Record& r, std::int64_t self_pk) {
  require_unused(db, "SELECT id FROM records WHERE external_id = ?1 AND pk != ?2", "externalId",
                 r.external_id, self_pk);
  require_unused(db, "SELECT id FROM records WHERE generation_artifact_key = ?1 AND pk != ?2",
                 "generationArtifactKey", r.generation_artifact_key, self_pk);
}

// catalog::require_parent, reading each ancestor's parent from the table.
void require_parent(Database& db, const Record& r) {
  catalog::require_parent(r, [&](const std::string& id) -> std::optional<StoredParent> {
    auto stmt =
        db.prepare("SELECT json_extract(doc, '$.parentImageId') FROM records WHERE id = ?1");
    stmt.bind(1, id);
    if (!stmt.step()) return std::nullopt;
    return StoredParent{stmt.is_null(0) ? std::nullopt : std::optional(stmt.text(0))};
  });
}

// Binds ?2..?23 of the records columns, in the order the INSERT and UPDATE below name them.
void bind_columns(Statement& stmt, const Record& r) {
  stmt.bind(2, r.id)
      .bind(3, r.unique_id)
      .bind(4, r.uploaded_at)
      .bind(5, r.title)
      .bind(6, r.category)
      .bind(7, r.group)
      .bind(8, r.project_name)
      .bind(9, r.project_order.value_or(std::numeric_limits<std::int64_t>::max()))
      .bind(10, r.moodboard_name)
      .bind(11, enum_text(r.source_type))
      .bind(12, enum_text(r.status))
      .bind(13, r.parent_image_id)
      .bind(14, r.external_id)
      .bind(15, r.generation_artifact_key)
      .bind(16, record_doc(r))
      .bind(17, r.genre)
      .bind(18, r.style)
      .bind(19, r.shot)
      .bind(20, enum_text(r.ai_status))
      .bind(21, enum_text(r.variation_type))
      .bind(22, r.likes)
      .bind(23, r.views);
}

void write_tags_and_search_text(Database& db, std::int64_t pk, const Record& r) {
  for (const auto& tag : r.tags) {
    db.prepare("INSERT INTO record_tags (tag, uploaded_at, record_pk) VALUES (?1, ?2, ?3)")
        .bind(1, tag)
        .bind(2, r.uploaded_at)
        .bind(3, pk)
        .run();
  }
  db.prepare(
        "INSERT INTO records_fts (rowid, title, description, tags, sref) "
        "VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, pk)
      .bind(2, r.title)
      .bind(3, r.description)
      .bind(4, joined_tags(r))
      .bind(5, r.sref)
      .run();
}

// `stored` is the record as it is in the catalog now: its tags say which tag rows exist.
void erase_tags_and_search_text(Database& db, std::int64_t pk, const Record& stored) {
  for (const auto& tag : stored.tags) {
    db.prepare("DELETE FROM record_tags WHERE tag = ?1 AND uploaded_at = ?2 AND record_pk = ?3")
        .bind(1, tag)
        .bind(2, stored.uploaded_at)
        .bind(3, pk)
        .run();
  }
  // A contentless FTS5 table forgets a row when told exactly what was indexed for it.
  db.prepare(
        "INSERT INTO records_fts (records_fts, rowid, title, description, tags, sref) "
        "VALUES ('delete', ?1, ?2, ?3, ?4, ?5)")
      .bind(1, pk)
      .bind(2, stored.title)
      .bind(3, stored.description)
      .bind(4, joined_tags(stored))
      .bind(5, stored.sref)
      .run();
}

// The colour index's rows of a record: one per #rrggbb colour of its palette.
void write_colours(Database& db, std::int64_t pk, const Record& r) {
  if (!r.colors) return;
  for (const auto& text : *r.colors) {
    auto c = parse_stored_colour(text);
    if (!c) continue;
    db.prepare("INSERT OR IGNORE INTO record_colors (r, g, b, record_pk) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, std::int64_t{c->r})
        .bind(2, std::int64_t{c->g})
        .bind(3, std::int64_t{c->b})
        .bind(4, pk)
        .run();
  }
}

// `stored` is the record as it is in the catalog now: its colours say which rows exist.
void erase_colours(Database& db, std::int64_t pk, const Record& stored) {
  if (!stored.colors) return;
  for (const auto& text : *stored.colors) {
    auto c = parse_stored_colour(text);
    if (!c) continue;
    db.prepare("DELETE FROM record_colors WHERE r = ?1 AND g = ?2 AND b = ?3 AND record_pk = ?4")
        .bind(1, std::int64_t{c->r})
        .bind(2, std::int64_t{c->g})
        .bind(3, std::int64_t{c->b})
        .bind(4, pk)
        .run();
  }
}

// Runs an INSERT or UPDATE of the records table; a UNIQUE violation is reported naming the field
// and the record that already holds the value.
void run_checking_unique_keys(Database& db, Statement& stmt, const Record& r,
                              std::int64_t self_pk) {
  try {
    stmt.run();
  } catch (const Error& e) {
    if (e.code() == Errc::conflict) require_unique_keys(db, r, self_pk);
    throw;
  }
}

}  // namespace

std::optional<Record> find_record(Database& db, std::string_view id) {
  return find_by(db, "SELECT doc FROM records WHERE id = ?1", id);
}

std::optional<Record> find_record_by(Database& db, RecordKey key, std::string_view value) {
  switch (key) {
    case RecordKey::external_id:
      return find_by(db, "SELECT doc FROM records WHERE external_id = ?1", value);
    case RecordKey::generation_artifact_key:
      return find_by(db, "SELECT doc FROM records WHERE generation_artifact_key = ?1", value);
    case RecordKey::source_url:
      // The expression is the one the index records_by_source_url is built on.
      return find_by(db,
                     "SELECT doc FROM records WHERE json_extract(doc, '$.sourceUrl') = ?1 "
                     "ORDER BY pk LIMIT 1",
                     value);
  }
  throw Error(Errc::internal, "unknown record key");
}

Record load_record(Database& db, std::string_view id) {
  auto record = find_record(db, id);
  if (!record) throw Error(Errc::not_found, "no record with id " + json_quoted(id));
  return std::move(*record);
}

CreateResult insert_record(Database& db, Record r) {
  if (!r.id.empty()) throw Error(Errc::invalid, "id: is assigned by the library; leave it out");
  model::validate(r);  // first: 5,000,000 repeated tags are refused, not deduplicated
  model::drop_repeated_tags(r);
  require_parent(db, r);
  if (r.external_id) {
    if (auto existing = find_record_by(db, RecordKey::external_id, *r.external_id)) {
      return {std::move(*existing), false};
    }
  }
  if (r.generation_artifact_key) {
    if (auto existing =
            find_record_by(db, RecordKey::generation_artifact_key, *r.generation_artifact_key)) {
      return {std::move(*existing), false};
    }
  }
  std::int64_t now = util::system_now_ms();
  r.id = model::new_record_id(now);
  if (r.unique_id.empty()) r.unique_id = model::new_unique_id(now);
  if (r.uploaded_at == 0) r.uploaded_at = now;

  auto insert = db.prepare(
      "INSERT INTO records (id, unique_id, uploaded_at, title, category, group_name, "
      "project_name, project_sort, moodboard_name, source_type, status, parent_image_id, "
      "external_id, generation_artifact_key, doc, genre, style, shot, ai_status, variation_type, "
      "likes, views) "
      "VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
      "?20, ?21, ?22, ?23)");
  bind_columns(insert, r);
  run_checking_unique_keys(db, insert, r, 0);
  const std::int64_t pk = db.last_insert_rowid();
  write_tags_and_search_text(db, pk, r);
  write_colours(db, pk, r);
  return {std::move(r), true};
}

void replace_record(Database& db, const Record& r) {
  auto pk = find_pk(db, r.id);
  if (!pk) throw Error(Errc::not_found, "no record with id " + json_quoted(r.id));
  Record stored = load_record(db, r.id);
  model::validate_change(stored, r);
  if (r.parent_image_id != stored.parent_image_id) require_parent(db, r);
  auto update = db.prepare(
      "UPDATE records SET id = ?2, unique_id = ?3, uploaded_at = ?4, title = ?5, category = ?6, "
      "group_name = ?7, project_name = ?8, project_sort = ?9, moodboard_name = ?10, "
      "source_type = ?11, status = ?12, parent_image_id = ?13, external_id = ?14, "
      "generation_artifact_key = ?15, doc = ?16, genre = ?17, style = ?18, shot = ?19, "
      "ai_status = ?20, variation_type = ?21, likes = ?22, views = ?23 WHERE pk = ?1");
  update.bind(1, *pk);
  bind_columns(update, r);
  run_checking_unique_keys(db, update, r, *pk);
  erase_tags_and_search_text(db, *pk, stored);
  write_tags_and_search_text(db, *pk, r);
  if (r.colors != stored.colors) {
    erase_colours(db, *pk, stored);
    write_colours(db, *pk, r);
  }
}

std::int64_t increment_counter(Database& db, std::string_view id, Counter counter,
                               std::int64_t delta) {
  check_counter_increment(counter, delta);
  // One statement: the column and the document change together, whoever else is counting. The
  // column name is one of two fixed names, never input.
  const std::string column(model::to_string(counter));
  auto stmt = db.prepare("UPDATE records SET " + column + " = " + column +
                         " + ?2, doc = json_set(doc, '$." + column + "', " + column +
                         " + ?2) WHERE id = ?1 AND " + column +
                         " + ?2 BETWEEN 0 AND ?3 RETURNING " + column);
  stmt.bind(1, id).bind(2, delta).bind(3, limits::count);
  if (stmt.step()) return stmt.integer(0);
  const Record stored = load_record(db, id);
  const std::int64_t now = counter == Counter::likes ? stored.likes : stored.views;
  refuse_counter_change(counter, now, delta);
}

void delete_record(Database& db, const Record& stored) {
  auto pk = find_pk(db, stored.id);
  if (!pk) throw Error(Errc::not_found, "no record with id " + json_quoted(stored.id));
  erase_tags_and_search_text(db, *pk, stored);
  erase_colours(db, *pk, stored);
  db.prepare("DELETE FROM records WHERE pk = ?1").bind(1, *pk).run();
}

}  // namespace pindeck::catalog
