// SPDX-License-Identifier: Apache-2.0
// The S3 object store against the real test server (radosgw on 127.0.0.1, verifying SigV4).
#include "pipeline/s3_object_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "pindeck/error.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck::pipeline {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::string prefix() {
  return "s3store-" + std::to_string(::getpid()) + "/";
}

TEST(S3ObjectStore, PutHeadListRemoveRoundTrip) {
  const auto server = pindeck::test::load_s3_test_server();
  S3ObjectStore store(server.settings, server.bucket);
  EXPECT_EQ(store.provider(), StorageProvider::rustfs);
  const std::string base = prefix();
  const auto sample = pindeck::test::sample_images()[2];
  store.put_file(base + "a/original.webp", sample, "image/webp");
  store.put_bytes(base + "b/w320.webp", as_bytes("not really webp"), "image/webp");

  const auto info = store.head(base + "a/original.webp");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, std::filesystem::file_size(sample));
  EXPECT_EQ(info->content_type, "image/webp");
  EXPECT_FALSE(store.head(base + "never/there.jpg"));
  EXPECT_EQ(store.list(base),
            (std::vector<std::string>{base + "a/original.webp", base + "b/w320.webp"}));
  EXPECT_EQ(store.public_url(base + "a/original.webp"),
            server.settings.endpoint + "/" + server.bucket + "/" + base + "a/original.webp");

  store.remove(base + "a/original.webp");
  store.remove(base + "b/w320.webp");
  EXPECT_NO_THROW(store.remove(base + "b/w320.webp"));
  EXPECT_TRUE(store.list(base).empty());
}

TEST(S3ObjectStore, WrongSecretIsAPermanentS3ErrorWithoutTheSecret) {
  auto server = pindeck::test::load_s3_test_server();
  server.settings.secret_key = "wrong-secret-0000000000000000000000000000";
  S3ObjectStore store(server.settings, server.bucket);
  try {
    store.put_bytes(prefix() + "x.jpg", as_bytes("x"), "image/jpeg");
    FAIL() << "a wrong secret was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::s3) << e.what();
    EXPECT_EQ(std::string(e.what()).find(server.settings.secret_key), std::string::npos);
  }
}

TEST(S3ObjectStore, UnreachableServerIsANetworkError) {
  auto server = pindeck::test::load_s3_test_server();
  server.settings.endpoint = "http://127.0.0.1:9";  // discard port: nothing listens
  S3ObjectStore store(server.settings, server.bucket);
  try {
    store.put_bytes(prefix() + "x.jpg", as_bytes("x"), "image/jpeg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::network) << e.what();
  }
}

TEST(S3ObjectStore, EnsureBucketCreatesAMissingBucket) {
  const auto server = pindeck::test::load_s3_test_server();
  const std::string bucket = "pindeck-ensure-" + std::to_string(::getpid());
  S3ObjectStore store(server.settings, bucket);
  store.prepare();
  store.prepare();
  store.put_bytes("k/a.jpg", as_bytes("a"), "image/jpeg");
  EXPECT_TRUE(store.exists("k/a.jpg"));
  store.remove("k/a.jpg");
}

}  // namespace
}  // namespace pindeck::pipeline
