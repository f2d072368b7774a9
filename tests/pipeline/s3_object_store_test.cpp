// SPDX-License-Identifier: Apache-2.0
// The S3 object store against the real test server (radosgw on 127.0.0.1, verifying SigV4).
#include "pipeline/s3_object_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <future>

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

TEST(S3ObjectStore, WrongSecretIsAConfigurationErrorNamingTheCredentialsWithoutTheSecret) {
  auto server = pindeck::test::load_s3_test_server();
  server.settings.secret_key = "wrong-secret-0000000000000000000000000000";
  S3ObjectStore store(server.settings, server.bucket);
  for (const bool prepare_first : {true, false}) {
    SCOPED_TRACE(prepare_first ? "HeadBucket" : "PutObject");
    try {
      if (prepare_first) {
        store.prepare();
      } else {
        store.put_bytes(prefix() + "x.jpg", as_bytes("x"), "image/jpeg");
      }
      FAIL() << "a wrong secret was accepted";
    } catch (const StoreConfigurationError& e) {
      EXPECT_EQ(e.code(), Errc::s3) << e.what();
      const std::string what = e.what();
      EXPECT_NE(what.find("refused the credentials of access key '" + server.settings.access_key +
                          "' for bucket '" + server.bucket + "'"),
                std::string::npos)
          << what;
      EXPECT_NE(what.find(prepare_first ? "HTTP 403 Forbidden" : "SignatureDoesNotMatch"),
                std::string::npos)
          << what;
      EXPECT_NE(what.find("PINDECK_S3_ACCESS_KEY and PINDECK_S3_SECRET_KEY"), std::string::npos);
      EXPECT_EQ(what.find(server.settings.secret_key), std::string::npos);
    }
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

TEST(S3ObjectStore, AMissingBucketIsCreatedOnlyWhenAllowed) {
  const auto server = pindeck::test::load_s3_test_server();
  const std::string bucket = "pindeck-ensure-" + std::to_string(::getpid());
  {
    S3ObjectStore refusing(server.settings, bucket);
    try {
      refusing.prepare();
      FAIL() << "a missing bucket was accepted";
    } catch (const StoreConfigurationError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("bucket '" + bucket + "' does not exist on " + server.settings.endpoint),
                std::string::npos)
          << what;
      EXPECT_NE(what.find("PersistenceConfig::create_bucket"), std::string::npos) << what;
    }
    // Writing anyway is refused the same way, and still creates nothing.
    EXPECT_THROW(refusing.put_bytes("k/a.jpg", as_bytes("a"), "image/jpeg"),
                 StoreConfigurationError);
    EXPECT_THROW(refusing.prepare(), StoreConfigurationError) << "the bucket appeared";
  }
  S3ObjectStore store(server.settings, bucket, /*create_bucket=*/true);
  store.prepare();
  store.prepare();
  store.put_bytes("k/a.jpg", as_bytes("a"), "image/jpeg");
  EXPECT_TRUE(store.exists("k/a.jpg"));
  store.remove("k/a.jpg");
  // Another store (another process) finds it there, with creating not allowed.
  S3ObjectStore later(server.settings, bucket);
  EXPECT_NO_THROW(later.prepare());
}

// Callers that come while a check is under way share it; once it succeeded, no request is made.
TEST(S3ObjectStore, PreparesDuringACheckAllCompleteAndACheckedBucketIsNotCheckedAgain) {
  const auto server = pindeck::test::load_s3_test_server();
  S3ObjectStore store(server.settings, server.bucket);
  std::vector<std::future<void>> done;
  std::vector<std::shared_ptr<std::promise<void>>> promises;
  for (int i = 0; i < 8; ++i) {
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    store.async_prepare([promise](std::exception_ptr failure) {
      if (failure) {
        promise->set_exception(failure);
      } else {
        promise->set_value();
      }
    });
  }
  for (auto& d : done) EXPECT_NO_THROW(d.get());
  bool inline_completion = false;
  store.async_prepare([&](std::exception_ptr failure) { inline_completion = !failure; });
  EXPECT_TRUE(inline_completion) << "a checked bucket was checked again";
}

}  // namespace
}  // namespace pindeck::pipeline
