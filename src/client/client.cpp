// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "client/client_impl.hpp"
#include "model/patch.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"
#include "util/env.hpp"

namespace pindeck {

namespace {

// Why `path` cannot be written, in words a user acts on; SQLite would only say "unable to open
// database file".
std::string not_writable(int error_number) {
  if (error_number == EROFS) return "it is on a read-only file system";
  if (error_number == EACCES || error_number == EPERM)
    return "this process has no permission to write it";
  return std::strerror(error_number);
}

// The data directory and its catalog must be writable: the catalog is opened for writing (and
// WAL mode writes next to it even to read).
void check_writable(const std::filesystem::path& dir) {
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error(Errc::io,
                "data directory " + dir.string() + " is not writable: " + not_writable(errno));
  }
  // The same wording as the catalog's own check (Errc::database, "is read-only"), with the reason.
  const auto catalog = dir / catalog_file_name;
  if (::access(catalog.c_str(), F_OK) == 0 && ::access(catalog.c_str(), W_OK) != 0) {
    throw Error(Errc::database,
                "catalog " + catalog.string() + " is read-only: " + not_writable(errno));
  }
}

// Makes sure `dir` is a writable directory, creating it (and its parents) when missing.
void prepare_data_dir(const std::filesystem::path& dir) {
  if (dir.empty()) throw Error(Errc::invalid, "data directory: must not be empty");
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) {
      throw Error(Errc::io, "data directory " + dir.string() + " exists but is not a directory");
    }
    check_writable(dir);
    return;
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(Errc::io,
                "cannot create data directory " + dir.string() + ": " + not_writable(ec.value()));
  }
}

}  // namespace

Client Client::open(const std::filesystem::path& data_dir) {
  return open(data_dir, OpenOptions{});
}

Client Client::open(const std::filesystem::path& data_dir, const OpenOptions& options) {
  std::string location = options.catalog;
  if (location.empty()) location = util::env("PINDECK_CATALOG_URL").value_or("");
  if (location.empty()) {
    prepare_data_dir(data_dir);
    return Client(
        std::make_unique<Impl>(data_dir, catalog::open_catalog(data_dir / catalog_file_name)));
  }
  // The catalog first: a location that is wrong leaves no data directory behind.
  auto catalog = catalog::open_catalog_at(location);
  prepare_data_dir(data_dir);
  return Client(std::make_unique<Impl>(data_dir, std::move(catalog)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Record Client::create(const Record& record) {
  return impl_->catalog->insert(record).record;
}

std::vector<CreateResult> Client::create_batch(const std::vector<Record>& records) {
  if (records.size() > limits::batch_records) {
    throw Error(Errc::invalid, "records: a batch holds at most " +
                                   std::to_string(limits::batch_records) + " records (got " +
                                   std::to_string(records.size()) + ")");
  }
  return impl_->catalog->insert_batch(records);
}

Record Client::get(std::string_view id) const {
  return impl_->catalog->get(id);
}

Record Client::update(std::string_view id, std::string_view patch_json) {
  model::require_record_json_size(patch_json, "patch");
  return impl_->catalog->update(id, model::parse_json_text(patch_json, "patch"));
}

RecordPage Client::list(const RecordQuery& query) const {
  return impl_->catalog->list(query);
}

RecordPage Client::search(std::string_view text, const RecordQuery& query) const {
  return impl_->catalog->search(text, query);
}

std::optional<Record> Client::parent(std::string_view id) const {
  return impl_->catalog->parent(id);
}

RecordPage Client::children(std::string_view id, const RecordQuery& query) const {
  return impl_->catalog->children(id, query);
}

Record Client::root(std::string_view id) const {
  return impl_->catalog->root(id);
}

Family Client::family(std::string_view id) const {
  return impl_->catalog->family(id);
}

std::size_t Client::set_project_order(std::string_view project_name,
                                      const std::vector<std::string>& ids) {
  return impl_->catalog->set_project_order(project_name, ids);
}

RecordStats Client::stats(const RecordQuery& filter) const {
  return impl_->catalog->stats(filter);
}

std::int64_t Client::increment(std::string_view id, Counter counter, std::int64_t delta) {
  return impl_->catalog->increment(id, counter, delta);
}

const std::filesystem::path& Client::data_dir() const {
  return impl_->data_dir;
}

}  // namespace pindeck
