// SPDX-License-Identifier: Apache-2.0
#include "catalog/sqlite.hpp"

#include <chrono>
#include <thread>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

namespace {

// How long a writer waits for another connection (thread or process) to release the lock.
constexpr int busy_timeout_ms = 10'000;

Errc errc_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Errc::conflict;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM: return Errc::io;
    case SQLITE_NOMEM: return Errc::nomem;
    default: return Errc::database;
  }
}

}  // namespace

std::unique_ptr<Database> Database::open(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, file));
  if (rc != SQLITE_OK) db->fail(rc, "cannot open the catalog");
  sqlite3_extended_result_codes(raw, 1);
  // SQLite quietly falls back to read-only when the file cannot be written; a catalog must be.
  if (sqlite3_db_readonly(raw, "main") == 1) {
    throw Error(Errc::database, "catalog " + file.string() +
                                    " is read-only: the library needs to write to it (check its "
                                    "permissions and those of its folder)");
  }
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  db->switch_to_wal();
  db->prepare("PRAGMA synchronous=FULL").run();
  // A larger page cache and memory-mapped reads keep index pages out of read() calls; both are
  // upper bounds, not allocations.
  db->prepare("PRAGMA cache_size=-65536").run();
  db->prepare("PRAGMA mmap_size=268435456").run();
  db->prepare("PRAGMA temp_store=MEMORY").run();
  db->prepare("PRAGMA foreign_keys=ON").run();
  return db;
}

void Database::release_memory() {
  sqlite3_db_release_memory(db_);
}

void Database::switch_to_wal() {
  // The first statement reads the file header: this is where a corrupt file shows. While another
  // process is creating the same new catalog, SQLite answers SQLITE_BUSY here at once, without
  // calling the busy handler, so the wait is ours.
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc, "cannot switch to WAL mode");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  while ((rc = sqlite3_step(stmt)) == SQLITE_BUSY && std::chrono::steady_clock::now() < deadline) {
    sqlite3_reset(stmt);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool wal =
      rc == SQLITE_ROW &&
      std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal";
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) fail(rc, "cannot switch to WAL mode");
  if (!wal)
    throw Error(Errc::database, "catalog " + path_.string() + ": cannot switch to WAL mode");
}

Database::Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Database::run_script(std::string_view sql) {
  const char* tail = sql.data();
  const char* end = sql.data() + sql.size();
  while (tail < end) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &stmt, &tail);
    if (rc != SQLITE_OK) fail(rc, "cannot prepare a schema statement");
    if (stmt == nullptr) continue;  // whitespace or a comment
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) fail(rc, "a schema statement failed");
  }
}

Statement Database::prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, "cannot prepare a statement");
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  return Statement(*this, it->second);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

void Database::fail(int rc, std::string_view doing) const {
  std::string where = "catalog " + path_.string();
  std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw Error(Errc::database, where + " is not a valid catalog database (" + detail +
                                      "); move it aside or restore it from a backup");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(Errc::database, where + ": " + std::string(doing) +
                                      ": locked by another connection for more than " +
                                      std::to_string(busy_timeout_ms / 1000) + " s (" + detail +
                                      ")");
    case SQLITE_READONLY: throw Error(Errc::database, where + " is read-only (" + detail + ")");
    default: throw Error(errc_for(rc), where + ": " + std::string(doing) + ": " + detail);
  }
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT copies: the text is stored verbatim, NUL bytes included.
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_.fail(rc, "cannot bind a parameter");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "cannot bind a parameter");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_.fail(rc, "cannot bind a parameter");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, "a statement failed");
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(n));
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.prepare("BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.prepare("ROLLBACK").run();
  } catch (const Error&) {
    // SQLite may already have rolled back on its own (after SQLITE_FULL, for instance).
  }
}

void Transaction::commit() {
  db_.prepare("COMMIT").run();
  open_ = false;
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  db_.prepare("BEGIN").run();
}

ReadTransaction::~ReadTransaction() {
  try {
    db_.prepare("ROLLBACK").run();  // nothing was written: ending it either way is the same
  } catch (const Error&) {
    // Already ended by SQLite on an error.
  }
}

}  // namespace pindeck::catalog
