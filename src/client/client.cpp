// SPDX-License-Identifier: Apache-2.0
#include <system_error>

#include "client/client_impl.hpp"
#include "model/patch.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck {

namespace {

// Makes sure `dir` is a directory, creating it (and its parents) when missing.
void prepare_data_dir(const std::filesystem::path& dir) {
  if (dir.empty()) throw Error(Errc::invalid, "data directory: must not be empty");
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) {
      throw Error(Errc::io, "data directory " + dir.string() + " exists but is not a directory");
    }
    return;
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(Errc::io, "cannot create data directory " + dir.string() + ": " + ec.message());
  }
}

}  // namespace

Client Client::open(const std::filesystem::path& data_dir) {
  prepare_data_dir(data_dir);
  return Client(
      std::make_unique<Impl>(data_dir, catalog::open_catalog(data_dir / catalog_file_name)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Record Client::create(const Record& record) {
  return impl_->catalog->insert(record).record;
}

std::vector<CreateResult> Client::create_batch(const std::vector<Record>& records) {
  return impl_->catalog->insert_batch(records);
}

Record Client::get(std::string_view id) const {
  return impl_->catalog->get(id);
}

Record Client::update(std::string_view id, std::string_view patch_json) {
  return impl_->catalog->update(id, model::parse_json_text(patch_json, "patch"));
}

RecordPage Client::list(const RecordQuery& query) const {
  return impl_->catalog->list(query);
}

RecordPage Client::search(std::string_view text, const RecordQuery& query) const {
  return impl_->catalog->search(text, query);
}

const std::filesystem::path& Client::data_dir() const {
  return impl_->data_dir;
}

}  // namespace pindeck
