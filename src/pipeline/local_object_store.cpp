// SPDX-License-Identifier: Apache-2.0
#include "pipeline/local_object_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <vector>

#include "model/storage_names.hpp"
#include "pindeck/error.hpp"
#include "staging/durable_file.hpp"
#include "util/errno_error.hpp"
#include "util/hex.hpp"
#include "util/input_file.hpp"

namespace pindeck::pipeline {

namespace {

using staging::DurableFileWriter;

// Creates every missing directory from `base` down to `base/relative`, fsyncing each parent
// whose entries changed, so a later crash cannot lose the path to a durable object.
void create_directories_durably(const std::filesystem::path& base,
                                const std::filesystem::path& relative) {
  std::filesystem::path current = base;
  for (const auto& part : relative) {
    const auto next = current / part;
    if (::mkdir(next.c_str(), 0755) == 0) {
      staging::fsync_directory(current);
    } else if (errno != EEXIST) {
      throw util::errno_error("cannot create directory", next, errno);
    }
    current = next;
  }
}

std::string percent_encode_path(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      util::append_hex(out, std::span(&c, 1), util::HexCase::upper);
    }
  }
  return out;
}

}  // namespace

LocalObjectStore::LocalObjectStore(std::filesystem::path root, std::string bucket)
    : bucket_(std::move(bucket)) {
  model::validate_bucket_name(bucket_);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw util::errno_error("cannot create object store directory", root, ec);
  root_ = std::filesystem::canonical(root);
  create_directories_durably(root_, bucket_);
}

std::filesystem::path LocalObjectStore::path_of(std::string_view key) const {
  model::validate_object_key(key);
  return root_ / bucket_ / key;
}

template <typename WriteBody>
void LocalObjectStore::write_object(std::string_view key, std::string_view content_type,
                                    WriteBody&& body) {
  const auto data_path = path_of(key);
  const std::filesystem::path relative_dir = std::filesystem::path(key).parent_path();
  const std::filesystem::path meta_relative = std::filesystem::path(".meta") / bucket_;

  // The content type goes first: an object whose data is visible always has its type.
  create_directories_durably(root_, meta_relative / relative_dir);
  {
    DurableFileWriter meta(root_ / meta_relative / relative_dir);
    meta.write(std::as_bytes(std::span(content_type.data(), content_type.size())));
    meta.commit(root_ / meta_relative / key);
  }
  create_directories_durably(root_, std::filesystem::path(bucket_) / relative_dir);
  DurableFileWriter data(data_path.parent_path());
  body(data);
  data.commit(data_path);
}

LocalObjectStore::~LocalObjectStore() {
  io_.join();
}

void LocalObjectStore::start_write(std::function<void()> write, WriteDone done) {
  boost::asio::post(io_, [write = std::move(write), done = std::move(done)] {
    std::exception_ptr failure;
    try {
      write();
    } catch (...) {
      failure = std::current_exception();
    }
    done(failure);
  });
}

void LocalObjectStore::async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                                       std::string_view content_type, WriteDone done) {
  model::validate_object_key(key);
  start_write(
      [this, key = std::string(key), bytes, content_type = std::string(content_type)] {
        write_object(key, content_type, [&](DurableFileWriter& out) { out.write(bytes); });
      },
      std::move(done));
}

void LocalObjectStore::async_put_file(std::string_view key, const std::filesystem::path& file,
                                      std::string_view content_type, WriteDone done) {
  model::validate_object_key(key);
  start_write([this, key = std::string(key), file,
               content_type = std::string(content_type)] { write_file(key, file, content_type); },
              std::move(done));
}

void LocalObjectStore::write_file(std::string_view key, const std::filesystem::path& file,
                                  std::string_view content_type) {
  util::InputFile in(file);
  write_object(key, content_type, [&](DurableFileWriter& out) {
    std::vector<std::byte> buffer(256 * 1024);
    while (const std::size_t n = in.read_some(buffer)) out.write(std::span(buffer.data(), n));
  });
}

std::optional<StoredObject> LocalObjectStore::head(std::string_view key) {
  const auto data_path = path_of(key);
  std::error_code ec;
  const auto size = std::filesystem::file_size(data_path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
      return std::nullopt;
    }
    throw util::errno_error("cannot stat object", data_path, ec);
  }
  StoredObject info;
  info.size = size;
  std::ifstream meta(root_ / ".meta" / bucket_ / key, std::ios::binary);
  info.content_type.assign(std::istreambuf_iterator<char>(meta), {});
  if (info.content_type.empty()) info.content_type = "application/octet-stream";
  return info;
}

std::string LocalObjectStore::read(std::string_view key) {
  util::InputFile in(path_of(key));  // Errc::not_found naming the path when it is not there
  std::string bytes;
  std::byte buffer[64 * 1024];
  while (const auto n = in.read_some(buffer)) {
    bytes.append(reinterpret_cast<const char*>(buffer), n);
  }
  return bytes;
}

void LocalObjectStore::remove(std::string_view key) {
  const auto data_path = path_of(key);
  bool removed = false;
  for (const auto& path : {data_path, root_ / ".meta" / bucket_ / key}) {
    if (::unlink(path.c_str()) == 0) {
      removed = true;
    } else if (errno != ENOENT) {
      throw util::errno_error("cannot delete object", path, errno);
    }
  }
  if (removed) staging::fsync_directory(data_path.parent_path());
}

std::vector<std::string> LocalObjectStore::list(std::string_view prefix) {
  std::vector<std::string> keys;
  const auto bucket_dir = root_ / bucket_;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(bucket_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (it->path().filename().string().starts_with(staging::temp_prefix)) continue;
    std::string key = it->path().lexically_relative(bucket_dir).generic_string();
    if (key.starts_with(prefix)) keys.push_back(std::move(key));
  }
  if (ec) throw util::errno_error("cannot list", bucket_dir, ec);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string LocalObjectStore::public_url(std::string_view key) const {
  return "file://" + percent_encode_path((root_ / bucket_ / key).string());
}

}  // namespace pindeck::pipeline
