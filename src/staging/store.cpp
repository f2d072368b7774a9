// SPDX-License-Identifier: Apache-2.0
#include "staging/store.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <vector>

#include "pindeck/error.hpp"
#include "staging/durable_file.hpp"
#include "util/errno_error.hpp"
#include "util/hex.hpp"
#include "util/input_file.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"

namespace pindeck::staging {

namespace {

constexpr std::size_t chunk_size = 256 * 1024;
constexpr std::size_t storage_id_bytes = 16;

// The id of the store in `directory`, kept beside it in <directory>.site (outside it: the store's
// directory holds staged copies and nothing else), written first if there is none. Written under
// a temporary name and linked into place, which (unlike a rename) fails when another process got
// there first: then its id is the one every process reads.
std::string read_or_make_site(const std::filesystem::path& directory) {
  const auto site_path =
      directory.parent_path() / (directory.filename().string() + std::string(".site"));
  if (!std::filesystem::exists(site_path)) {
    const std::string made = util::random_hex(8);
    const auto temp_path = directory / (std::string(temp_prefix) + "site-" + made);
    DurableFileWriter writer(directory);
    writer.write(std::as_bytes(std::span(made)));
    writer.commit(temp_path);
    const bool linked = ::link(temp_path.c_str(), site_path.c_str()) == 0;
    const int link_errno = errno;
    std::filesystem::remove(temp_path);
    if (!linked && link_errno != EEXIST) {
      throw util::errno_error("cannot write the staging site id", site_path, link_errno);
    }
    if (linked) fsync_directory(directory.parent_path());
  }
  std::ifstream in(site_path, std::ios::binary);
  std::string site;
  std::getline(in, site);
  if (site.empty() || !util::is_lower_hex(site)) {
    throw Error(Errc::io, "staging site id in " + site_path.string() +
                              " is damaged: it must be lowercase hex digits");
  }
  return site;
}

}  // namespace

Store::Store(std::filesystem::path directory, std::uint64_t max_bytes)
    : directory_(std::move(directory)), max_bytes_(max_bytes) {
  if (max_bytes_ == 0) throw Error(Errc::invalid, "staging max_bytes must be positive");
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) throw util::errno_error("cannot create staging directory", directory_, ec);
  remove_temporaries_older_than(std::chrono::hours(1));
  site_ = read_or_make_site(directory_);
}

int Store::remove_temporaries_older_than(std::chrono::milliseconds age) {
  const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    if (!entry.path().filename().string().starts_with(temp_prefix)) continue;
    std::error_code entry_ec;
    if (entry.last_write_time(entry_ec) <= cutoff && !entry_ec &&
        std::filesystem::remove(entry.path(), entry_ec)) {
      ++removed;
    }
  }
  return removed;
}

void Store::check_storage_id(std::string_view storage_id) {
  if (storage_id.size() != storage_id_bytes * 2 || !util::is_lower_hex(storage_id)) {
    throw Error(Errc::invalid, "storageId '" + std::string(storage_id) +
                                   "' is not a staging id (32 lowercase hex characters)");
  }
}

StagingWriter::StagingWriter(const Store& store) : store_(store), file_(store.directory()) {}

void StagingWriter::write(std::span<const std::byte> bytes) {
  total_ += bytes.size();
  if (total_ > store_.max_bytes()) {
    throw Error(Errc::invalid, "upload is larger than the staging limit of " +
                                   std::to_string(store_.max_bytes()) + " bytes");
  }
  sha_.update(bytes);
  file_.write(bytes);
}

StagedObject StagingWriter::commit() {
  StagedObject staged;
  staged.storage_id = util::random_hex(storage_id_bytes);
  staged.sha256 = util::to_hex(sha_.finish());
  staged.byte_size = total_;
  staged.path = store_.directory() / staged.storage_id;
  file_.commit(staged.path);
  return staged;
}

StagedObject Store::put(const ReadChunk& read) {
  StagingWriter writer(*this);
  std::vector<std::byte> buffer(chunk_size);
  for (;;) {
    const std::size_t n = read(buffer.data(), buffer.size());
    if (n == 0) break;
    if (n > buffer.size()) throw Error(Errc::internal, "staging reader overran its buffer");
    writer.write(std::span<const std::byte>(buffer.data(), n));
  }
  return writer.commit();
}

StagedObject Store::put_bytes(std::span<const std::byte> bytes) {
  std::size_t offset = 0;
  return put([&](std::byte* out, std::size_t capacity) {
    const std::size_t n = std::min(capacity, bytes.size() - offset);
    std::copy_n(bytes.data() + offset, n, out);
    offset += n;
    return n;
  });
}

StagedObject Store::put_stream(std::istream& in) {
  return put([&](std::byte* out, std::size_t capacity) -> std::size_t {
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(capacity));
    if (in.bad()) throw Error(Errc::io, "reading the upload stream failed");
    return static_cast<std::size_t>(in.gcount());
  });
}

StagedObject Store::put_file(const std::filesystem::path& source) {
  util::InputFile in(source);
  return put(
      [&](std::byte* out, std::size_t capacity) { return in.read_some(std::span(out, capacity)); });
}

bool Store::contains(std::string_view storage_id) const {
  check_storage_id(storage_id);
  std::error_code ec;
  return std::filesystem::is_regular_file(directory_ / storage_id, ec);
}

std::filesystem::path Store::path_of(std::string_view storage_id) const {
  if (!contains(storage_id)) {
    throw Error(Errc::not_found, "no staged object with storageId '" + std::string(storage_id) +
                                     "' in '" + directory_.string() + "'");
  }
  return directory_ / storage_id;
}

std::ifstream Store::open(std::string_view storage_id) const {
  const auto path = path_of(storage_id);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw util::errno_error("cannot open staged object", path, errno);
  return in;
}

std::vector<std::string> Store::ids_older_than(std::chrono::milliseconds age) const {
  const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    // Only staged objects: not the temporaries of writes under way, nor the site file.
    if (name.size() != storage_id_bytes * 2 || !util::is_lower_hex(name)) continue;
    std::error_code entry_ec;
    const auto written = entry.last_write_time(entry_ec);
    if (!entry_ec && written <= cutoff) ids.push_back(name);
  }
  if (ec) throw util::errno_error("cannot list staging directory", directory_, ec);
  return ids;
}

bool Store::remove(std::string_view storage_id) {
  check_storage_id(storage_id);
  const auto path = directory_ / storage_id;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    throw util::errno_error("cannot delete staged object", path, errno);
  }
  fsync_directory(directory_);
  return true;
}

}  // namespace pindeck::staging
