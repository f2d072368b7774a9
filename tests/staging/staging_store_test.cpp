// SPDX-License-Identifier: Apache-2.0
#include "expect_error.hpp"
#include "staging/store.hpp"

#include "staging/mapped_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

#include "pindeck/error.hpp"
#include "read_file.hpp"
#include "scoped_tmpfs.hpp"
#include "temp_dir.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"

namespace pindeck::staging {
namespace {

using pindeck::test::read_file;
using pindeck::test::TempDir;

std::size_t entries_in(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// Resident memory of this process now, in bytes (VmRSS of /proc/self/status).
std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

TEST(StagingStore, EmptyStringSha256IsTheKnownDigest) {
  TempDir dir;
  Store store(dir.path() / "staging");
  const auto staged = store.put_bytes({});
  EXPECT_EQ(staged.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(staged.byte_size, 0u);
  EXPECT_TRUE(store.contains(staged.storage_id));
}

TEST(StagingStore, BufferIsStoredByteForByteWithItsDigest) {
  TempDir dir;
  Store store(dir.path() / "staging");
  std::string bytes;
  for (int i = 0; i < 700000; ++i) bytes.push_back(static_cast<char>((i * 7919) & 0xff));
  const auto staged = store.put_bytes(as_bytes(bytes));
  EXPECT_EQ(staged.byte_size, bytes.size());
  EXPECT_EQ(staged.sha256, util::sha256_hex(bytes));
  EXPECT_EQ(staged.path, dir.path() / "staging" / staged.storage_id);
  EXPECT_EQ(read_file(staged.path), bytes);
  EXPECT_EQ(staged.storage_id.size(), 32u);
  EXPECT_NO_THROW(Store::check_storage_id(staged.storage_id));
}

TEST(StagingStore, FileAndStreamGiveTheSameBytesUnderDifferentIds) {
  TempDir dir;
  Store store(dir.path() / "staging");
  const auto source = std::filesystem::path(PINDECK_TEST_DATA) / "images/truchet-l.webp";
  const std::string original = read_file(source);
  ASSERT_FALSE(original.empty());

  const auto from_file = store.put_file(source);
  std::ifstream in(source, std::ios::binary);
  const auto from_stream = store.put_stream(in);

  EXPECT_NE(from_file.storage_id, from_stream.storage_id);
  EXPECT_EQ(from_file.sha256, util::sha256_hex(original));
  EXPECT_EQ(from_stream.sha256, from_file.sha256);
  EXPECT_EQ(read_file(store.path_of(from_stream.storage_id)), original);
  auto reader = store.open(from_file.storage_id);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(reader), {}), original);
}

TEST(StagingStore, LargeStreamUsesBoundedMemory) {
  TempDir dir;
  Store store(dir.path() / "staging");
  constexpr std::uint64_t total = 200ull << 20;
  std::uint64_t produced = 0;
  std::uint32_t state = 12345;
  util::Sha256 expected;
  const std::size_t baseline = resident_bytes();
  std::size_t peak = baseline;

  const auto staged = store.put([&](std::byte* out, std::size_t capacity) -> std::size_t {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(capacity, total - produced));
    for (std::size_t i = 0; i < n; ++i) {
      state = state * 1664525u + 1013904223u;
      out[i] = static_cast<std::byte>(state >> 24);
    }
    expected.update(out, n);
    produced += n;
    if ((produced & ((16u << 20) - 1)) == 0) peak = std::max(peak, resident_bytes());
    return n;
  });

  EXPECT_EQ(staged.byte_size, total);
  EXPECT_EQ(std::filesystem::file_size(staged.path), total);
  EXPECT_EQ(staged.sha256, util::to_hex(expected.finish()));
  EXPECT_LT(peak - baseline, 16u << 20) << "staging 200 MiB grew resident memory too much";
}

TEST(StagingStore, FailingReaderLeavesNothingBehind) {
  TempDir dir;
  Store store(dir.path() / "staging");
  int calls = 0;
  test::expect_error(
      [&] {
        store.put([&](std::byte* out, std::size_t capacity) -> std::size_t {
          if (++calls == 3) throw Error(Errc::network, "connection reset");
          std::fill_n(out, capacity, std::byte{1});
          return capacity;
        });
      },
      Errc::network, "connection reset");
  EXPECT_EQ(entries_in(store.directory()), 0u);
}

TEST(StagingStore, InputOverTheLimitIsRefusedAndNothingKept) {
  TempDir dir;
  Store store(dir.path() / "staging", 1000);
  const std::string bytes(1001, 'x');
  try {
    store.put_bytes(as_bytes(bytes));
    FAIL() << "an over-limit upload was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(std::string(e.what()).find("1000 bytes"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries_in(store.directory()), 0u);
  EXPECT_NO_THROW(store.put_bytes(as_bytes(std::string(1000, 'x'))));
}

TEST(StagingStore, MissingSourceFileIsNotFoundAndNamesThePath) {
  TempDir dir;
  Store store(dir.path() / "staging");
  try {
    store.put_file(dir.path() / "nope.jpg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("nope.jpg"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries_in(store.directory()), 0u);
}

TEST(StagingStore, RemoveDeletesOnceAndThenReportsAbsence) {
  TempDir dir;
  Store store(dir.path() / "staging");
  const auto staged = store.put_bytes(as_bytes("abc"));
  ASSERT_TRUE(store.contains(staged.storage_id));
  EXPECT_TRUE(store.remove(staged.storage_id));
  EXPECT_FALSE(store.contains(staged.storage_id));
  EXPECT_FALSE(store.remove(staged.storage_id));
  try {
    store.open(staged.storage_id);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
}

TEST(StagingStore, IdsThatCouldEscapeTheDirectoryAreRefused) {
  TempDir dir;
  Store store(dir.path() / "staging");
  for (const char* bad : {"../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789",
                          "0123456789abcdef0123456789abcde/", "0123456789abcdef"}) {
    SCOPED_TRACE(bad);
    test::expect_error([&] { store.contains(bad); }, Errc::invalid);
    test::expect_error([&] { store.remove(bad); }, Errc::invalid);
  }
}

TEST(StagingStore, StaleTemporariesAreSweptYoungOnesKept) {
  TempDir dir;
  const auto staging_dir = dir.path() / "staging";
  std::filesystem::create_directories(staging_dir);
  const auto stale = staging_dir / ".tmp-stale";
  const auto young = staging_dir / ".tmp-young";
  std::ofstream(stale) << "half";
  std::ofstream(young) << "half";
  std::filesystem::last_write_time(
      stale, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(std::filesystem::exists(stale));
  Store store(staging_dir);
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(young));
}

TEST(StagingStore, ConcurrentWritersGetDistinctCompleteObjects) {
  TempDir dir;
  Store store(dir.path() / "staging");
  std::vector<StagedObject> results(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      results[t] = store.put_bytes(as_bytes(std::string(100000 + t, static_cast<char>('a' + t))));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(read_file(results[t].path), std::string(100000 + t, static_cast<char>('a' + t)));
  }
  EXPECT_EQ(entries_in(store.directory()), 8u);
}

TEST(StagingStore, ASiteIdIsMadeOnceAndReadByEveryStoreOnTheDirectory) {
  TempDir dir;
  const auto staging_dir = dir.path() / "staging";
  std::vector<std::string> sites(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] { sites[t] = Store(staging_dir).site(); });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(sites[0].size(), 16u);
  EXPECT_TRUE(util::is_lower_hex(sites[0]));
  for (const auto& site : sites) EXPECT_EQ(site, sites[0]);
  EXPECT_EQ(read_file(dir.path() / "staging.site"), sites[0]);
  EXPECT_EQ(entries_in(staging_dir), 0u) << "a temporary of the site id was left behind";
  EXPECT_EQ(Store(staging_dir).site(), sites[0]);

  EXPECT_NE(Store(dir.path() / "other").site(), sites[0]);
}

TEST(StagingStore, OnlyStagedObjectsAreListedNotTemporariesOrOtherFiles) {
  TempDir dir;
  Store store(dir.path() / "staging");
  const auto staged = store.put_bytes(as_bytes(std::string("bytes")));
  std::ofstream(store.directory() / "notes.txt") << "a file someone left";
  std::ofstream(store.directory() / ".tmp-write") << "half";
  EXPECT_EQ(store.ids_older_than(std::chrono::milliseconds(-60'000)),
            std::vector<std::string>{staged.storage_id});
}

TEST(StagingStore, ADamagedSiteFileIsRefusedNamingIt) {
  TempDir dir;
  const auto staging_dir = dir.path() / "staging";
  std::filesystem::create_directories(staging_dir);
  std::ofstream(dir.path() / "staging.site") << "not hex!";
  pindeck::test::expect_error([&] { Store store(staging_dir); }, Errc::io,
                              (dir.path() / "staging.site").string() + " is damaged");
}

TEST(MappedFile, MapsTheStagedBytesAndEmptyFilesToEmptySpans) {
  TempDir dir;
  Store store(dir.path() / "staging");
  const auto staged = store.put_bytes(as_bytes("mapped bytes"));
  MappedFile mapped(staged.path);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(mapped.bytes().data()), mapped.bytes().size()),
      "mapped bytes");
  const auto empty = store.put_bytes({});
  EXPECT_TRUE(MappedFile(empty.path).bytes().empty());
  test::expect_error([&] { MappedFile(dir.path() / "missing"); }, Errc::not_found, "cannot open");
}

// A real full disk: a 1 MiB tmpfs under the store.
TEST(StagingStore, ADiskFullIsSaidPlainlyAndLeavesNothingThenAFittingPutSucceeds) {
  TempDir dir;
  pindeck::test::ScopedTmpfs disk(dir.path() / "small", 1 << 20);
  if (!disk.mounted()) GTEST_SKIP() << disk.error();
  const auto staging_dir = disk.path() / "staging";
  Store store(staging_dir);
  const std::string too_big(3 << 20, 'x');
  try {
    store.put_bytes(as_bytes(too_big));
    ADD_FAILURE() << "3 MiB fitted on a 1 MiB disk";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    const std::string message = e.what();
    EXPECT_NE(message.find("the disk is full"), std::string::npos) << message;
    EXPECT_NE(message.find("'" + staging_dir.string() + "'"), std::string::npos) << message;
  }
  EXPECT_EQ(entries_in(staging_dir), 0u) << "a partial file was left behind";
  const std::string fits(200 * 1024, 'y');
  const auto staged = store.put_bytes(as_bytes(fits));
  EXPECT_EQ(read_file(staged.path), fits);
}

}  // namespace
}  // namespace pindeck::staging
