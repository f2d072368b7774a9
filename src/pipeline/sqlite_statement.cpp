#include "pipeline/sqlite_statement.hpp"

#include "pindeck/error.hpp"

namespace pindeck::pipeline {

void throw_sqlite_error(sqlite3* db, std::string_view what) {
  throw Error(Errc::database, std::string(what) + ": " + sqlite3_errmsg(db));
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    throw_sqlite_error(db, "cannot prepare statement");
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    throw_sqlite_error(db_, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
    throw_sqlite_error(db_, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) throw_sqlite_error(db_, "cannot bind NULL");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, "statement failed");
}

int Statement::run() {
  while (step()) {
  }
  return sqlite3_changes(db_);
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::text(int column) const {
  if (is_null(column)) return std::nullopt;
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw Error(Errc::database, "SQL failed: " + text);
  }
}

ImmediateTransaction::ImmediateTransaction(sqlite3* db) : db_(db) {
  exec(db_, "BEGIN IMMEDIATE");
}

ImmediateTransaction::~ImmediateTransaction() {
  if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void ImmediateTransaction::commit() {
  exec(db_, "COMMIT");
  open_ = false;
}

}  // namespace pindeck::pipeline
