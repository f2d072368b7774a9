// SPDX-License-Identifier: Apache-2.0
// What Client refuses at ingest and at open, plainly and leaving nothing behind: truncated images
// (from a file, bytes, a stream and a reader), anything but a regular file (without blocking), a
// full disk, and a data directory or catalog that cannot be written. Disks and read-only file
// systems are real tmpfs mounts; the tests skip with a message where mounting is refused.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <sstream>
#include <string>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "quick_persistence.hpp"
#include "read_file.hpp"
#include "scoped_tmpfs.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::ScopedTmpfs;
using pindeck::test::TempDir;

std::size_t entries_in(const std::filesystem::path& dir) {
  EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir << " is missing";
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// The Error `call` throws; fails the test when it throws nothing.
Error error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(Errc::internal, "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The client refused an upload: nothing is staged and nothing is recorded.
void expect_nothing_kept(const Client& client) {
  EXPECT_EQ(entries_in(client.data_dir() / "staging"), 0u);
  EXPECT_TRUE(client.list({}).records.empty());
}

TEST(ClientIngest, ATruncatedImageIsRefusedFromEveryEntryPoint) {
  TempDir dir;
  auto client = Client::open(dir.path() / "data");
  client.start_persistence(test::quick_persistence());
  const std::string whole = test::read_file(test::sample_images().front());
  const std::string half = whole.substr(0, whole.size() / 2);
  const auto half_path = dir.path() / "half.jpg";
  std::ofstream(half_path, std::ios::binary) << half;
  const auto bytes = std::as_bytes(std::span(half.data(), half.size()));

  std::vector<std::pair<std::string, std::function<void()>>> uploads{
      {"file", [&] { client.upload_file(half_path); }},
      {"bytes", [&] { client.upload_bytes(bytes, {}, "half.jpg"); }},
      {"stream",
       [&] {
         std::istringstream in(half);
         client.upload_stream(in, {}, "half.jpg");
       }},
      {"reader", [&] {
         std::size_t offset = 0;
         client.upload_reader(
             [&](std::byte* out, std::size_t capacity) {
               const std::size_t n = std::min(capacity, bytes.size() - offset);
               std::copy_n(bytes.data() + offset, n, out);
               offset += n;
               return n;
             },
             {}, "half.jpg");
       }}};
  for (const auto& [name, upload] : uploads) {
    SCOPED_TRACE(name);
    const Error e = error_of(upload);
    EXPECT_EQ(e.code(), Errc::media);
    EXPECT_TRUE(contains(e.what(), "upload 'half.jpg' refused")) << e.what();
    EXPECT_TRUE(contains(e.what(), "the jpg image is truncated: no end-of-image marker (FF D9)"))
        << e.what();
    expect_nothing_kept(client);
  }
  // The whole file is still accepted.
  const Record accepted = client.upload_bytes(std::as_bytes(std::span(whole.data(), whole.size())));
  EXPECT_EQ(client.wait_persisted(accepted.id, 120s).storage_persist_status,
            PersistStatus::succeeded);
}

TEST(ClientIngest, OnlyRegularFilesAreReadAndAFifoDoesNotBlock) {
  TempDir dir;
  auto client = Client::open(dir.path() / "data");
  client.start_persistence(test::quick_persistence());
  const auto fifo = dir.path() / "pipe.jpg";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto refused =
      std::async(std::launch::async, [&] { return error_of([&] { client.upload_file(fifo); }); });
  if (refused.wait_for(20s) != std::future_status::ready) {
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // unblock the regression
    if (writer >= 0) ::close(writer);
    ADD_FAILURE() << "upload_file blocked on a FIFO for 20 s";
  }
  const Error fifo_error = refused.get();
  EXPECT_EQ(fifo_error.code(), Errc::invalid);
  EXPECT_TRUE(contains(fifo_error.what(), "'" + fifo.string() + "': it is a FIFO (named pipe)"))
      << fifo_error.what();

  const Error dir_error = error_of([&] { client.upload_file(dir.path()); });
  EXPECT_EQ(dir_error.code(), Errc::invalid);
  EXPECT_TRUE(contains(dir_error.what(), "'" + dir.path().string() + "': it is a directory"))
      << dir_error.what();

  const Error zero_error = error_of([&] { client.upload_file("/dev/zero"); });
  EXPECT_EQ(zero_error.code(), Errc::invalid);
  EXPECT_TRUE(contains(zero_error.what(), "'/dev/zero': it is a character device"))
      << zero_error.what();
  expect_nothing_kept(client);
}

TEST(ClientIngest, ADiskFullAtStagingIsSaidPlainlyAndTheNextUploadThatFitsSucceeds) {
  TempDir dir;
  ScopedTmpfs disk(dir.path() / "disk", 3 << 20);
  if (!disk.mounted()) GTEST_SKIP() << disk.error();
  const auto data_dir = disk.path() / "data";
  auto client = Client::open(data_dir);
  client.start_persistence(test::quick_persistence());
  const auto too_big = test::sample_images().front();  // 3.9 MB on a 3 MiB disk
  const Error full = error_of([&] { client.upload_file(too_big); });
  EXPECT_EQ(full.code(), Errc::io);
  EXPECT_TRUE(contains(full.what(), "the disk is full")) << full.what();
  EXPECT_TRUE(contains(full.what(), "'" + (data_dir / "staging").string() + "'")) << full.what();
  expect_nothing_kept(client);

  const auto fits = test::sample_images()[2];  // 0.8 MB
  const Record accepted = client.upload_file(fits);
  EXPECT_EQ(accepted.storage_persist_status, PersistStatus::pending);
  EXPECT_EQ(entries_in(data_dir / "staging"), 1u);
  EXPECT_EQ(client.list({}).records.size(), 1u);
}

TEST(ClientIngest, ADataDirectoryOnAReadOnlyFileSystemIsNamed) {
  TempDir dir;
  ScopedTmpfs disk(dir.path() / "ro", 1 << 20, /*read_only=*/true);
  if (!disk.mounted()) GTEST_SKIP() << disk.error();

  const Error existing = error_of([&] { Client::open(disk.path()); });
  EXPECT_EQ(existing.code(), Errc::io);
  EXPECT_EQ(std::string(existing.what()), "data directory " + disk.path().string() +
                                              " is not writable: it is on a read-only file system");

  const auto missing = disk.path() / "pindeck-data";
  const Error created = error_of([&] { Client::open(missing); });
  EXPECT_EQ(created.code(), Errc::io);
  EXPECT_EQ(std::string(created.what()), "cannot create data directory " + missing.string() +
                                             ": it is on a read-only file system");
}

TEST(ClientIngest, ACatalogThatCannotBeWrittenIsNamed) {
  TempDir dir;
  ScopedTmpfs disk(dir.path() / "disk", 4 << 20);
  if (!disk.mounted()) GTEST_SKIP() << disk.error();
  const auto catalog = disk.path() / "catalog.sqlite";
  { Client::open(disk.path()).create(Record{}); }
  // The catalog file alone made read-only: a read-only bind mount over it.
  ASSERT_EQ(::mount(catalog.c_str(), catalog.c_str(), nullptr, MS_BIND, nullptr), 0);
  const bool remounted =
      ::mount(nullptr, catalog.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
  std::string message;
  if (remounted) {
    const Error e = error_of([&] { Client::open(disk.path()); });
    EXPECT_EQ(e.code(), Errc::database);
    message = e.what();
  }
  ::umount2(catalog.c_str(), MNT_DETACH);
  if (!remounted) GTEST_SKIP() << "cannot remount the catalog read-only: " << std::strerror(errno);
  EXPECT_EQ(message,
            "catalog " + catalog.string() + " is read-only: it is on a read-only file system");
}

// Permission bits do not stop root, so the check runs in a child that drops to user nobody.
TEST(ClientIngest, ADataDirectoryWithoutWritePermissionIsNamed) {
  TempDir dir;
  const auto data_dir = dir.path() / "locked";
  std::filesystem::create_directories(data_dir);
  ::chmod(dir.path().c_str(), 0755);
  ::chmod(data_dir.c_str(), 0555);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string message = "opened";
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      message = "skip";
    } else {
      try {
        Client::open(data_dir);
      } catch (const Error& e) {
        message = e.what();
      }
    }
    if (::write(pipe_fds[1], message.data(), message.size()) < 0) _exit(2);
    _exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (message == "skip") GTEST_SKIP() << "cannot switch to user nobody to test permissions";
  EXPECT_EQ(message, "data directory " + data_dir.string() +
                         " is not writable: this process has no permission to write it");
}

}  // namespace
}  // namespace pindeck
