// SPDX-License-Identifier: Apache-2.0
// A thin RAII layer over libpq for the PostgreSQL catalog: one connection, its prepared statements,
// transactions, and LISTEN/NOTIFY. Every failure becomes a pindeck::Error naming the server as
// postgresql://user@host:port/database (never the password) and what failed.
// Not thread-safe by itself: the catalog serialises access to a Connection.
//
// Parameters and results travel as text, which is what libpq's text protocol does anyway: an
// integer parameter is its decimal digits, and SQL says the type where PostgreSQL cannot infer it
// (`$1::bigint`).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace pindeck::catalog::postgres {

// A connection string as messages name it: postgresql://user@host:port/database, without the
// password or any other setting; "postgresql://(unparsable)" when libpq cannot parse it.
std::string describe_url(const std::string& url);

// `bytes` made fit for a text column, which takes only UTF-8 where a failure message may quote any
// bytes (a file name, a server's answer): invalid sequences and control characters are replaced,
// nothing is cut.
std::string text_column_value(std::string_view bytes);

// One statement parameter: text, or SQL NULL.
class Param {
 public:
  Param(std::nullptr_t) {}
  Param(std::string_view text) : value_(std::string(text)) {}
  Param(const std::string& text) : value_(text) {}
  Param(const char* text) : value_(std::string(text)) {}
  Param(std::int64_t value) : value_(std::to_string(value)) {}
  Param(int value) : value_(std::to_string(value)) {}
  Param(bool value) : value_(value ? "true" : "false") {}
  Param(const std::optional<std::string>& text) : value_(text) {}

  const char* c_str() const { return value_ ? value_->c_str() : nullptr; }

 private:
  std::optional<std::string> value_;
};

// The rows a statement returned (or none), owned until this goes out of scope. Rows and columns
// are numbered from 0.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  ~Rows();
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  // How many rows an INSERT, UPDATE or DELETE changed.
  std::int64_t affected() const;

  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  bool boolean(int row, int column) const;

 private:
  pg_result* result_;
};

// A NOTIFY another connection (or this one) committed.
struct Notification {
  std::string channel;
  std::string payload;
};

class Connection {
 public:
  // Connects to the server a postgresql:// URL (or libpq key=value string) names; TLS, password
  // files and service files work as libpq documents. Errc::invalid for a string libpq cannot
  // parse, Errc::network when the server cannot be reached, Errc::database when it refuses
  // (authentication, no such database).
  static std::unique_ptr<Connection> open(const std::string& url);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with parameters $1, $2, ...; the statement is prepared on first use and
  // reused. A dropped connection is re-established before the next statement (not in the middle
  // of a transaction: that statement fails).
  Rows exec(std::string_view sql, std::initializer_list<Param> params = {});
  Rows exec(std::string_view sql, std::span<const Param> params);

  // Runs fixed SQL text without parameters (several statements allowed), such as a migration.
  void run_script(std::string_view sql);

  // Subscribes this connection to NOTIFYs on `channel` (an identifier of ours, never input).
  void listen(std::string_view channel);
  // Waits up to `timeout` for notifications and returns those that arrived (none on timeout).
  std::vector<Notification> wait_for_notifications(std::chrono::milliseconds timeout);

  // Catalog::release_memory: libpq keeps nothing for speed beyond a statement's result, which
  // Rows frees, so there is nothing to hand back.
  void release_memory() {}

  // The server as messages name it: postgresql://user@host:port/database, without the password.
  const std::string& name() const { return name_; }

  // Throws the pindeck::Error for the connection's last failure; `doing` says what failed.
  [[noreturn]] void fail(std::string_view doing, const pg_result* result = nullptr) const;

 private:
  Connection(pg_conn* conn, std::string name);
  void reconnect_if_dropped();
  // Settings of ours for each session, the first and any after a reconnection.
  void configure_session();
  Rows checked(pg_result* result, std::string_view doing);

  pg_conn* conn_;
  std::string name_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  bool in_transaction_ = false;

  friend class Transaction;
  friend class ReadTransaction;
};

// BEGIN on construction; rolled back on destruction unless committed. READ COMMITTED: writers
// lock the rows they change (FOR UPDATE where a read decides a write), as the queue's claims do.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

// A read-only REPEATABLE READ transaction: the statements run meanwhile read one snapshot.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& connection);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& connection_;
};

}  // namespace pindeck::catalog::postgres
