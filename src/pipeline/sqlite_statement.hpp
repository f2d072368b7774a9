// A prepared SQLite statement that finalizes itself, with the few bind/step helpers the pipeline
// uses. Errors become pindeck::Error(Errc::database) carrying SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pindeck::pipeline {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::nullopt_t);
  // True when a row is available, false when done.
  bool step();
  // step() until done; returns the number of rows the statement changed.
  int run();

  std::int64_t int64(int column) const;
  std::optional<std::string> text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL without results (several statements allowed).
void exec(sqlite3* db, const char* sql);

// BEGIN IMMEDIATE ... COMMIT, rolled back when the scope is left without commit(). IMMEDIATE takes
// the write lock up front, so two processes never both read the queue and then both write it.
class ImmediateTransaction {
 public:
  explicit ImmediateTransaction(sqlite3* db);
  ~ImmediateTransaction();
  ImmediateTransaction(const ImmediateTransaction&) = delete;
  ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool open_ = true;
};

[[noreturn]] void throw_sqlite_error(sqlite3* db, std::string_view what);

}  // namespace pindeck::pipeline
