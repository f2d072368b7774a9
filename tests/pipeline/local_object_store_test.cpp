// SPDX-License-Identifier: Apache-2.0
#include "pipeline/local_object_store.hpp"
#include "expect_invalid.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "pindeck/error.hpp"
#include "read_file.hpp"
#include "temp_dir.hpp"

namespace pindeck::pipeline {
namespace {

using pindeck::test::read_file;
using pindeck::test::TempDir;

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

TEST(LocalObjectStore, PutBytesThenHeadGivesSizeAndContentType) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  EXPECT_EQ(store.provider(), StorageProvider::local);
  const std::string key = "media-uploads/2026/11_25/low/a-w320.webp";
  EXPECT_FALSE(store.exists(key));
  store.put_bytes(key, as_bytes("webp bytes"), "image/webp");
  const auto info = store.head(key);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 10u);
  EXPECT_EQ(info->content_type, "image/webp");
  EXPECT_EQ(read_file(dir.path() / "objects/pindeck" / key), "webp bytes");
}

TEST(LocalObjectStore, PutFileCopiesByteForByteAndOverwrites) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  const auto source = std::filesystem::path(PINDECK_TEST_DATA) / "images/truchet-l.webp";
  const std::string key = "media-uploads/2026/11_25/original/t.webp";
  store.put_bytes(key, as_bytes("old"), "text/plain");
  store.put_file(key, source, "image/webp");
  EXPECT_EQ(read_file(store.path_of(key)), read_file(source));
  EXPECT_EQ(store.head(key)->content_type, "image/webp");
  EXPECT_EQ(store.head(key)->size, std::filesystem::file_size(source));
}

TEST(LocalObjectStore, ListsKeysUnderAPrefixSortedWithoutMetadataOrTemporaries) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  store.put_bytes("p/b/2.jpg", as_bytes("2"), "image/jpeg");
  store.put_bytes("p/a/1.jpg", as_bytes("1"), "image/jpeg");
  store.put_bytes("q/3.jpg", as_bytes("3"), "image/jpeg");
  std::ofstream(dir.path() / "objects/pindeck/p/a/.tmp-left-by-a-crash") << "x";
  EXPECT_EQ(store.list("p/"), (std::vector<std::string>{"p/a/1.jpg", "p/b/2.jpg"}));
  EXPECT_EQ(store.list("").size(), 3u);
}

TEST(LocalObjectStore, RemoveDeletesAndIsIdempotent) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  store.put_bytes("a/b.png", as_bytes("png"), "image/png");
  ASSERT_TRUE(store.exists("a/b.png"));
  store.remove("a/b.png");
  EXPECT_FALSE(store.exists("a/b.png"));
  EXPECT_NO_THROW(store.remove("a/b.png"));
  EXPECT_NO_THROW(store.remove("never/was.png"));
  EXPECT_TRUE(store.list("").empty());
}

TEST(LocalObjectStore, PublicUrlIsAFileUrlOfTheObject) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  store.put_bytes("a/b.png", as_bytes("png"), "image/png");
  const std::string url = store.public_url("a/b.png");
  ASSERT_EQ(url.rfind("file://", 0), 0u) << url;
  EXPECT_EQ(std::filesystem::path(url.substr(7)),
            std::filesystem::canonical(store.path_of("a/b.png")));
}

TEST(LocalObjectStore, KeysThatCouldEscapeOrAreNotOursAreRefused) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  for (const char* bad : {"../x.jpg", "/abs.jpg", "a//b.jpg", "a/./b.jpg", "a/../../b.jpg",
                          "Upper.jpg", "sp ace.jpg", "", "a/"}) {
    SCOPED_TRACE(bad);
    test::expect_invalid([&] { store.put_bytes(bad, as_bytes("x"), "image/jpeg"); }, "");
    test::expect_invalid([&] { store.head(bad); }, "");
  }
  test::expect_invalid([&] { store.put_bytes(std::string(256, 'a'), as_bytes("x"), "image/jpeg"); },
                       "");
  EXPECT_TRUE(store.list("").empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.jpg"));
}

TEST(LocalObjectStore, BadBucketNamesAreRefused) {
  TempDir dir;
  for (const char* bad : {"..", ".meta", "ab", "Pindeck", "a/b"}) {
    SCOPED_TRACE(bad);
    test::expect_invalid([&] { LocalObjectStore(dir.path() / "objects", bad); }, "");
  }
}

TEST(LocalObjectStore, MissingSourceFileIsNotFoundAndWritesNothing) {
  TempDir dir;
  LocalObjectStore store(dir.path() / "objects", "pindeck");
  try {
    store.put_file("a/b.jpg", dir.path() / "missing.jpg", "image/jpeg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
  EXPECT_FALSE(store.exists("a/b.jpg"));
}

}  // namespace
}  // namespace pindeck::pipeline
