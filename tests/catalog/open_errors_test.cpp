// SPDX-License-Identifier: Apache-2.0
// Opening a data directory: created on first use; clear errors for what cannot work.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "read_file.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using test::read_file;

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The error Client::open throws, or an empty message with Errc::internal when it succeeds.
std::pair<Errc, std::string> open_error(const std::filesystem::path& dir) {
  try {
    Client::open(dir);
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {Errc::internal, ""};
}

TEST(OpenErrors, NestedDataDirectoryIsCreatedOnFirstUse) {
  test::TempDir dir;
  auto data = dir.path() / "a" / "b" / "pindeck-data";
  Client::open(data);
  EXPECT_TRUE(std::filesystem::is_regular_file(data / "catalog.sqlite"));
}

TEST(OpenErrors, ADataDirectoryThatIsAFileIsRefused) {
  test::TempDir dir;
  auto file = dir.path() / "not-a-dir";
  write_file(file, "hello");
  auto [code, message] = open_error(file);
  EXPECT_EQ(code, Errc::io);
  EXPECT_NE(message.find("exists but is not a directory"), std::string::npos) << message;
  EXPECT_EQ(read_file(file), "hello");
}

TEST(OpenErrors, ACorruptCatalogIsRefusedAndLeftUntouched) {
  test::TempDir dir;
  std::string garbage;
  for (int i = 0; i < 400; ++i) garbage += "this is not an SQLite database. ";
  write_file(dir.path() / "catalog.sqlite", garbage);
  auto [code, message] = open_error(dir.path());
  EXPECT_EQ(code, Errc::database);
  EXPECT_NE(message.find("is not a valid catalog database"), std::string::npos) << message;
  EXPECT_EQ(read_file(dir.path() / "catalog.sqlite"), garbage);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "catalog.sqlite-wal"));
}

TEST(OpenErrors, ATruncatedCatalogIsRefused) {
  test::TempDir dir;
  { Client::open(dir.path()).create(Record{}); }
  auto file = dir.path() / "catalog.sqlite";
  std::filesystem::remove(dir.path() / "catalog.sqlite-wal");
  std::filesystem::remove(dir.path() / "catalog.sqlite-shm");
  std::string bytes = read_file(file);
  // Keep a valid header but wipe the schema page.
  write_file(file, bytes.substr(0, 100) + std::string(bytes.size() - 100, '\x55'));
  auto [code, message] = open_error(dir.path());
  EXPECT_EQ(code, Errc::database) << message;
  EXPECT_NE(message.find("catalog"), std::string::npos) << message;
}

TEST(OpenErrors, AReadOnlyCatalogIsRefused) {
  test::TempDir dir;
  { Client::open(dir.path()); }
  std::filesystem::permissions(dir.path() / "catalog.sqlite",
                               std::filesystem::perms::owner_read |
                                   std::filesystem::perms::group_read |
                                   std::filesystem::perms::others_read);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  // Root may write to any file, so the check runs as an unprivileged user in a child process.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto [code, message] = open_error(dir.path());
    bool ok = code == Errc::database && message.find("is read-only") != std::string::npos;
    if (!ok) std::fprintf(stderr, "unexpected: %s\n", message.c_str());
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(OpenErrors, AnUncreatableDataDirectoryIsAnIoError) {
  test::TempDir dir;
  write_file(dir.path() / "file", "x");
  auto [code, message] = open_error(dir.path() / "file" / "sub");
  EXPECT_EQ(code, Errc::io);
  EXPECT_NE(message.find("data directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace pindeck
