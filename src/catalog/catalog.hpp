// The catalog: one SQLite file of records, safe to share between threads (calls are serialised
// on one connection) and between processes (WAL, busy timeout, IMMEDIATE write transactions).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "catalog/sqlite.hpp"
#include "pindeck/client.hpp"

namespace pindeck::catalog {

class Catalog {
 public:
  // Opens or creates the catalog file and brings its schema up to date.
  static std::unique_ptr<Catalog> open(const std::filesystem::path& file);

  CreateResult insert(Record record);
  // All records in one transaction: if one is refused, none is stored.
  std::vector<CreateResult> insert_batch(std::vector<Record> records);
  Record get(std::string_view id);
  Record update(std::string_view id, const nlohmann::json& patch);
  void remove(std::string_view id);
  RecordPage list(const RecordQuery& query);
  RecordPage search(std::string_view text, const RecordQuery& query);

  // Runs body(Database&) inside one write transaction while holding the catalog's lock, for
  // changes that must commit together (a record and its persistence job, for instance).
  template <typename Body>
  auto write(Body&& body) {
    std::lock_guard lock(mutex_);
    Transaction tx(*db_);
    if constexpr (std::is_void_v<decltype(body(*db_))>) {
      body(*db_);
      tx.commit();
    } else {
      auto result = body(*db_);
      tx.commit();
      return result;
    }
  }

  // Runs body(Database&) for reading while holding the catalog's lock.
  template <typename Body>
  auto read(Body&& body) {
    std::lock_guard lock(mutex_);
    return body(*db_);
  }

 private:
  explicit Catalog(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
};

}  // namespace pindeck::catalog
