// pindeck::Client: the C++ entry point. It owns a data directory and the catalog in it
// (<data dir>/catalog.sqlite) and is safe to use from many threads at once; several processes may
// open the same data directory.
//
// Every failure throws pindeck::Error (see error.hpp) with a message naming what was wrong; a
// refused call changes nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pindeck/export.h"
#include "pindeck/record.hpp"

namespace pindeck {

enum class RecordOrder {
  newest_first,  // uploadedAt, newest first
  project_row,   // projectOrder (records without one last), then title
};

// Filters (all optional, combined with AND), order and paging for list() and search().
struct RecordQuery {
  std::optional<std::string> category;
  std::optional<std::string> group;
  std::optional<std::string> project_name;
  std::optional<std::string> moodboard_name;
  std::optional<SourceType> source_type;
  std::optional<RecordStatus> status;
  std::vector<std::string> tags;                  // records carrying every one of these tags
  bool originals_only = false;                    // only records without a parentImageId
  RecordOrder order = RecordOrder::newest_first;  // list() only; search() ranks by relevance
  int limit = 50;                                 // 1 to 1000
  std::optional<std::string> cursor;              // next_cursor of the previous page
};

struct RecordPage {
  std::vector<Record> records;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// What create_batch() did with one record.
struct CreateResult {
  Record record;         // as stored (or the one already stored under its externalId)
  bool created = false;  // false when an existing record was returned instead
};

class PD_EXPORT Client {
 public:
  // Opens the data directory, creating it and its catalog on first use.
  static Client open(const std::filesystem::path& data_dir);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Stores a new record and returns it with id, uniqueId (when not given) and uploadedAt (when 0)
  // filled in. A record whose externalId or generationArtifactKey is already stored is not
  // inserted again: the stored record is returned.
  Record create(const Record& record);

  // Stores many records in one transaction (much faster than one create() each); all or nothing.
  std::vector<CreateResult> create_batch(const std::vector<Record>& records);

  Record get(std::string_view id) const;

  // Applies a partial update: a JSON object with the fields to change (null unsets an optional
  // field). The result is validated as a whole before anything is written.
  Record update(std::string_view id, std::string_view patch_json);

  // Deletes a record. A record that still has variations (records naming it as parentImageId)
  // cannot be deleted.
  void remove(std::string_view id);

  RecordPage list(const RecordQuery& query = {}) const;

  // Full-text search over title, description, tags and sref (every word must match; the last word
  // also matches as a prefix when it has 3 characters or more), best matches first, with the
  // filters of `query`.
  RecordPage search(std::string_view text, const RecordQuery& query = {}) const;

  const std::filesystem::path& data_dir() const;

  // The library's own parts (persistence, sources) reach the catalog through this.
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pindeck
