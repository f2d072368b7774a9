// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>

#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog::postgres {

namespace {

// SQLSTATE classes (PostgreSQL's appendix A) as the library's error codes.
Errc errc_for(std::string_view sqlstate) {
  if (sqlstate.starts_with("23")) return Errc::conflict;  // integrity constraint violation
  if (sqlstate.starts_with("08")) return Errc::network;   // connection exception
  if (sqlstate == "53200") return Errc::nomem;            // out of memory
  if (sqlstate.starts_with("53") || sqlstate.starts_with("58")) return Errc::io;  // disk full, I/O
  if (sqlstate == "22P02" || sqlstate == "22003") return Errc::invalid;  // bad text, out of range
  return Errc::database;
}

// libpq's messages end with a newline and may run over several lines; the first says what failed.
std::string first_line(const char* message) {
  std::string_view text = message ? message : "";
  text = text.substr(0, text.find('\n'));
  return text.empty() ? std::string("no message from libpq") : std::string(text);
}

std::string option(const PQconninfoOption* options, std::string_view keyword) {
  for (const PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (keyword == o->keyword && o->val && *o->val) return o->val;
  }
  return {};
}

// postgresql://user@host:port/database from what libpq parsed, leaving out the password and
// every other setting. Parts the string leaves to libpq's defaults are left out too.
// Appended piece by piece, not ":" + port: GCC 12 at -O3 warns (-Wrestrict, a false positive)
// about a short literal plus a string temporary.
std::string display_name(const PQconninfoOption* options) {
  std::string name = "postgresql://";
  if (auto user = option(options, "user"); !user.empty()) name.append(user).append("@");
  auto host = option(options, "host");
  if (host.empty()) host = option(options, "hostaddr");
  name += host;
  if (auto port = option(options, "port"); !port.empty()) name.append(":").append(port);
  name.append("/").append(option(options, "dbname"));
  return name;
}

// libpq prints NOTICEs (such as "relation already exists, skipping") to stderr by default; the
// library writes nothing to stderr on its own.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string text_column_value(std::string_view bytes) {
  return model::fit_message(bytes, bytes.size());
}

std::string describe_url(const std::string& url) {
  PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr);
  if (!options) return "postgresql://(unparsable)";
  std::string name = display_name(options);
  PQconninfoFree(options);
  return name;
}

Rows::~Rows() {
  PQclear(result_);
}

int Rows::size() const {
  return PQntuples(result_);
}

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_);
  std::int64_t value = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) == 1;
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t Rows::integer(int row, int column) const {
  const char* begin = PQgetvalue(result_, row, column);
  const char* end = begin + PQgetlength(result_, row, column);
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    throw Error(Errc::database, "column " + std::string(PQfname(result_, column)) +
                                    " is not an integer: '" + text(row, column) + "'");
  }
  return value;
}

bool Rows::boolean(int row, int column) const {
  return PQgetvalue(result_, row, column)[0] == 't';
}

std::unique_ptr<Connection> Connection::open(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &parse_error);
  if (!options) {
    // libpq's parse errors quote the offending fragment at most, never a whole password setting,
    // but the URL may be malformed around one: say what is wrong without echoing it.
    std::string why = parse_error ? first_line(parse_error) : "out of memory";
    PQfreemem(parse_error);
    throw Error(Errc::invalid,
                "catalog URL is not a PostgreSQL connection string libpq accepts: " + why);
  }
  std::string name = display_name(options);
  PQconninfoFree(options);

  pg_conn* conn = PQconnectdb(url.c_str());
  if (!conn) throw Error(Errc::nomem, "catalog " + name + ": out of memory connecting");
  std::unique_ptr<Connection> connection(new Connection(conn, std::move(name)));
  if (PQstatus(conn) != CONNECTION_OK) {
    // A server that answered and refused (authentication, missing database) sent a FATAL
    // message; a server that never answered did not.
    const bool answered = PQconnectionUsedPassword(conn) || PQprotocolVersion(conn) != 0;
    throw Error(
        answered ? Errc::database : Errc::network,
        "catalog " + connection->name_ + ": cannot connect: " + first_line(PQerrorMessage(conn)));
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  connection->configure_session();
  return connection;
}

void Connection::configure_session() {
  // The catalog's statements read a page of 50 rows or a few thousand index entries. A parallel
  // plan costs more to start its workers than it can save on them, yet the planner picks one when
  // it misjudges a join: a page of records with a tag took 44 ms that way against 0.3 ms without
  // (100,000 records, benchmarks/catalog/queries.sh).
  run_script("SET max_parallel_workers_per_gather = 0");
}

Connection::Connection(pg_conn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}

Connection::~Connection() {
  PQfinish(conn_);
}

void Connection::fail(std::string_view doing, const pg_result* result) const {
  std::string sqlstate;
  std::string message;
  if (result) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = state;
    if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
      message = primary;
    }
  }
  if (message.empty()) message = first_line(PQerrorMessage(conn_));
  const Errc code = PQstatus(conn_) == CONNECTION_BAD ? Errc::network : errc_for(sqlstate);
  throw Error(code, "catalog " + name_ + ": " + std::string(doing) + ": " + message);
}

void Connection::reconnect_if_dropped() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  // Statements prepared on the old session are gone with it.
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) fail("cannot reconnect");
  configure_session();
}

Rows Connection::checked(pg_result* result, std::string_view doing) {
  Rows rows(result);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(doing, result);
  return rows;
}

Rows Connection::exec(std::string_view sql, std::initializer_list<Param> params) {
  return exec(sql, std::span<const Param>(params.begin(), params.size()));
}

Rows Connection::exec(std::string_view sql, std::span<const Param> params) {
  if (!in_transaction_) reconnect_if_dropped();
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string statement = "pd" + std::to_string(prepared_.size());
    checked(PQprepare(conn_, statement.c_str(), key.c_str(), 0, nullptr),
            "cannot prepare a statement");
    it = prepared_.emplace(std::move(key), std::move(statement)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.c_str());
  return checked(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                                values.data(), nullptr, nullptr, 0),
                 "statement failed");
}

void Connection::run_script(std::string_view sql) {
  if (!in_transaction_) reconnect_if_dropped();
  checked(PQexec(conn_, std::string(sql).c_str()), "script failed");
}

void Connection::listen(std::string_view channel) {
  run_script("LISTEN " + std::string(channel));
}

std::vector<Notification> Connection::wait_for_notifications(std::chrono::milliseconds timeout) {
  std::vector<Notification> arrived;
  const auto collect = [&] {
    if (PQconsumeInput(conn_) == 0) fail("cannot read notifications");
    while (PGnotify* n = PQnotifies(conn_)) {
      arrived.push_back({n->relname, n->extra ? n->extra : ""});
      PQfreemem(n);
    }
  };
  collect();
  if (!arrived.empty()) return arrived;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) fail("cannot wait for notifications");
  int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) fail("cannot wait for notifications");
  if (ready > 0) collect();
  return arrived;
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.run_script("BEGIN");
  connection_.in_transaction_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  connection_.in_transaction_ = false;
  // A rollback that fails leaves the session aborted or dropped; the next statement reconnects
  // or reports it.
  PQclear(PQexec(connection_.conn_, "ROLLBACK"));
}

void Transaction::commit() {
  connection_.in_transaction_ = false;
  open_ = false;
  connection_.run_script("COMMIT");
}

ReadTransaction::ReadTransaction(Connection& connection) : connection_(connection) {
  connection_.run_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  connection_.in_transaction_ = true;
}

ReadTransaction::~ReadTransaction() {
  connection_.in_transaction_ = false;
  PQclear(PQexec(connection_.conn_, "COMMIT"));
}

}  // namespace pindeck::catalog::postgres
