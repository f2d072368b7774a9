// SPDX-License-Identifier: Apache-2.0
// The first-stage store: bytes land here, hashed and fsynced, before they are durable anywhere
// else. Each staged object is one file in the store's directory (<data dir>/staging unless
// configured; DESIGN §6), named by its storageId.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "staging/durable_file.hpp"
#include "util/sha256.hpp"

namespace pindeck::staging {

// What staging learned about the bytes while writing them.
struct StagedObject {
  std::string storage_id;  // names the file; 32 lowercase hex characters
  std::string sha256;      // lowercase hex digest of the bytes
  std::uint64_t byte_size = 0;
  std::filesystem::path path;  // where the bytes now are
};

// Fills `buffer` with up to `capacity` bytes and returns how many it wrote; 0 means the end.
// Throwing from it aborts the write and leaves nothing behind.
using ReadChunk = std::function<std::size_t(std::byte* buffer, std::size_t capacity)>;

class Store;

// Stages bytes pushed to it in chunks (for producers that push, such as an HTTP download), with
// put()'s guarantees: hashed, size-limited, fsynced and renamed into place by commit(); a writer
// destroyed without commit() leaves nothing behind.
class StagingWriter {
 public:
  explicit StagingWriter(const Store& store);

  // Errc::invalid once the bytes written exceed the store's max_bytes; Errc::io for a full disk.
  void write(std::span<const std::byte> bytes);
  StagedObject commit();

 private:
  const Store& store_;
  DurableFileWriter file_;
  util::Sha256 sha_;
  std::uint64_t total_ = 0;
};

class Store {
 public:
  // Larger inputs are refused (and nothing is kept) so a runaway stream cannot fill the disk.
  static constexpr std::uint64_t default_max_bytes = std::uint64_t{2} << 30;

  // Creates `directory` when missing. Removes temporary files that a crashed writer left behind
  // more than an hour ago (younger ones may belong to another process writing right now).
  explicit Store(std::filesystem::path directory, std::uint64_t max_bytes = default_max_bytes);

  // Each of these streams the bytes through a fixed-size buffer (memory does not grow with the
  // input), hashes them, fsyncs the file, renames it into place and fsyncs the directory, so a
  // returned StagedObject survives a crash. On any failure nothing is left behind.
  StagedObject put_file(const std::filesystem::path& source);
  StagedObject put_bytes(std::span<const std::byte> bytes);
  StagedObject put_stream(std::istream& in);
  StagedObject put(const ReadChunk& read);

  bool contains(std::string_view storage_id) const;
  // Path of a staged object; throws Errc::not_found when there is none.
  std::filesystem::path path_of(std::string_view storage_id) const;
  // Opens a staged object for reading (binary); throws Errc::not_found when there is none.
  std::ifstream open(std::string_view storage_id) const;
  // Deletes a staged object and makes the deletion durable; false when it was not there.
  bool remove(std::string_view storage_id);

  // Deletes temporary files (writes a crash interrupted) last touched more than `age` ago;
  // returns how many.
  int remove_temporaries_older_than(std::chrono::milliseconds age);

  // The ids of staged objects last written more than `age` ago.
  std::vector<std::string> ids_older_than(std::chrono::milliseconds age) const;

  const std::filesystem::path& directory() const { return directory_; }
  // This store's id, made once and kept beside its directory (<directory>.site): a catalog
  // shared by several hosts (DESIGN §6, scale-out) lets only workers of the store that staged a
  // job's bytes claim the job. Every process on the same directory reads the same id, on every
  // host that mounts it, so a shared directory makes one store for all of them.
  const std::string& site() const { return site_; }
  std::uint64_t max_bytes() const { return max_bytes_; }

  // Throws Errc::invalid unless `storage_id` has the shape this store gives out (so an id from a
  // record can never name a path outside the store).
  static void check_storage_id(std::string_view storage_id);

 private:
  std::filesystem::path directory_;
  std::uint64_t max_bytes_;
  std::string site_;
};

}  // namespace pindeck::staging
