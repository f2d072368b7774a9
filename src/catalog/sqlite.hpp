// SPDX-License-Identifier: Apache-2.0
// A thin RAII layer over the SQLite C API: one connection, its cached prepared statements and
// IMMEDIATE transactions. Every SQLite failure becomes a pindeck::Error with a clear message.
// Not thread-safe by itself: the Catalog serialises access to a Database.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pindeck::catalog {

class Statement;

class Database {
 public:
  // Opens (creating when missing) a read-write database file in WAL mode with a busy timeout.
  // A file that is not a database, or that cannot be written, is refused.
  static std::unique_ptr<Database> open(const std::filesystem::path& file);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs fixed SQL text (several statements allowed, no parameters), such as a migration.
  void run_script(std::string_view sql);

  // A prepared statement for `sql`, compiled once per connection and reused.
  Statement prepare(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  // Frees what the connection's page cache holds beyond the pages in use
  // (sqlite3_db_release_memory); the cache refills as queries need it.
  void release_memory();
  const std::filesystem::path& path() const { return path_; }

  // Throws the pindeck::Error matching SQLite result code `rc`; `doing` says what failed.
  [[noreturn]] void fail(int rc, std::string_view doing) const;

 private:
  Database(sqlite3* db, std::filesystem::path path);
  void switch_to_wal();

  sqlite3* db_;
  std::filesystem::path path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// One use of a cached prepared statement; it is reset and its bindings cleared when this goes out
// of scope. Parameters are numbered from 1, columns from 0.
class Statement {
 public:
  Statement(const Database& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind_null(int index);

  // Advances to the next row; false when there are no more.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;

 private:
  const Database& db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE on construction (taking the write lock at once, so two writers never deadlock
// upgrading a read lock); rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

// BEGIN (deferred) on construction and ended on destruction: the statements run meanwhile read one
// snapshot of the catalog (under WAL, writers of other connections go on).
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
};

}  // namespace pindeck::catalog
