// SPDX-License-Identifier: Apache-2.0
// pindeck::Client against the real S3 server (radosgw on 127.0.0.1) when it is down, when the
// bucket is missing and when the credentials are wrong (issue 14, items 1 and 9): uploads are
// always accepted and staged; what happens next is said plainly in the record.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "expect_error.hpp"
#include "fault_proxy.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3/client.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using pindeck::test::port_of;
using pindeck::test::TempDir;

PersistenceConfig s3_config(const std::string& test) {
  const auto server = pindeck::test::load_s3_test_server();
  PersistenceConfig config;
  config.s3 = server.settings;
  config.bucket = server.bucket;
  config.key_prefix = "client-" + test + "-" + std::to_string(::getpid());
  config.retry_min_delay = 200ms;
  config.retry_max_delay = 400ms;
  config.poll_interval = 50ms;
  return config;
}

// A direct client on the test server, to look at buckets and objects independently.
s3::Client direct_client(const std::string& bucket) {
  const auto server = pindeck::test::load_s3_test_server();
  return s3::Client(pipeline::s3_client_config(server.settings, bucket));
}

bool bucket_exists(const std::string& bucket) {
  auto client = direct_client(bucket);
  try {
    client.head_bucket(bucket);
    return true;
  } catch (const s3::S3Error& e) {
    if (e.http_status() == 404) return false;
    throw;
  }
}

// Polls the record until `done` holds for it (a retry's error is written to the record while it
// stays pending, which a wait for it to settle does not report).
template <typename Done>
Record poll(Client& client, const std::string& id, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  Record record = client.get(id);
  while (!done(record) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(20ms);
    record = client.get(id);
  }
  return record;
}

TEST(ClientS3, UploadsWhileTheServerIsDownArePendingThenPersistedWhenItIsBack) {
  TempDir dir;
  auto config = s3_config("down");
  test::FaultProxy proxy("127.0.0.1", port_of(config.s3->endpoint));
  proxy.take_down();
  config.s3->endpoint = proxy.endpoint();
  config.max_attempts = 100;  // the job keeps trying, seconds apart, until the server is back
  auto client = Client::open(dir.path());
  ASSERT_NO_THROW(client.start_persistence(config)) << "starting persistence reached the network";

  const auto image = pindeck::test::sample_images()[2];
  const Record pending = client.upload_file(image);
  EXPECT_EQ(pending.storage_persist_status, PersistStatus::pending);
  ASSERT_TRUE(pending.storage_id);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "staging" / *pending.storage_id))
      << "the upload was not staged";

  // At least one attempt failed on the bucket check, and the record stayed pending.
  const Record retrying =
      poll(client, pending.id, [](const Record& r) { return r.storage_persist_error.has_value(); });
  EXPECT_EQ(retrying.storage_persist_status, PersistStatus::pending);
  ASSERT_TRUE(retrying.storage_persist_error);
  EXPECT_NE(retrying.storage_persist_error->find("checking bucket " + config.bucket),
            std::string::npos)
      << *retrying.storage_persist_error;
  EXPECT_NE(retrying.storage_persist_error->find("network error"), std::string::npos)
      << *retrying.storage_persist_error;

  proxy.bring_up();
  const Record done = client.wait_persisted(pending.id, 120s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
  EXPECT_FALSE(done.storage_persist_error);
  auto direct = direct_client(config.bucket);
  EXPECT_EQ(direct.get_object(*done.storage_path).body, pindeck::test::read_file(image))
      << "the persisted original differs from the upload";
}

// Client::read_object fetches from the S3 server the client persists to, byte for byte as a
// direct GetObject sees it; a deleted object is not_found naming its key.
TEST(ClientS3, ReadObjectFetchesFromTheServer) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(s3_config("read"));
  const auto image = pindeck::test::sample_images()[2];
  const Record done = client.wait_persisted(client.upload_file(image).id, 60s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
  const auto as_string = [](const std::vector<std::byte>& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  EXPECT_EQ(as_string(client.read_object(*done.storage_path)), pindeck::test::read_file(image));
  auto direct = direct_client(s3_config("read").bucket);
  const std::string small_key = done.derivative_storage_paths->small.value_or("");
  ASSERT_FALSE(small_key.empty());
  EXPECT_EQ(as_string(client.read_object(small_key)), direct.get_object(small_key).body);
  direct.delete_object(small_key);
  test::expect_error([&] { client.read_object(small_key); }, Errc::not_found, small_key);
}

// A palette sampled again once the staged copy is gone comes from the original in the S3 bucket,
// and is the palette persistence sampled; colour search follows it.
TEST(ClientS3, APaletteIsSampledAgainFromTheOriginalInTheBucket) {
  TempDir dir;
  auto client = Client::open(dir.path());
  client.start_persistence(s3_config("resample"));
  const Record done =
      client.wait_persisted(client.upload_file(pindeck::test::sample_images()[0]).id, 120s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
  ASSERT_FALSE(done.storage_id) << "the staged copy is still there";
  ASSERT_TRUE(done.colors && !done.colors->empty());
  client.update(done.id, R"({"colors": ["#000000"]})");

  const Record resampled = client.resample_palette(done.id);
  EXPECT_EQ(resampled.colors, done.colors);
  EXPECT_EQ(client.get(done.id).colors, done.colors);
  RecordQuery near;
  near.color = done.colors->front();
  near.color_distance = 0;
  ASSERT_EQ(client.list(near).records.size(), 1u);
  near.color = "#000000";
  EXPECT_TRUE(client.list(near).records.empty());

  // A client persisting elsewhere (the local store) cannot read the original: not_found, naming
  // both stores.
  TempDir other_dir;
  auto other = Client::open(other_dir.path());
  Record copy = done;
  copy.id.clear();
  copy.unique_id.clear();
  const Record elsewhere = other.create(copy);
  try {
    other.resample_palette(elsewhere.id);
    ADD_FAILURE() << "resampled without the original";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("the record names rustfs bucket " + *done.storage_bucket),
              std::string::npos)
        << e.what();
  }
}

// A mistyped bucket is never created on its own: the job fails at once, naming the bucket and how
// to create it; after the host allows creating it, a backfill persists the record.
TEST(ClientS3, AMissingBucketIsCreatedOnlyWhenTheHostSaysSo) {
  TempDir dir;
  auto config = s3_config("nobucket");
  config.bucket = "pindeck-typo-" + std::to_string(::getpid());
  ASSERT_FALSE(bucket_exists(config.bucket));
  {
    auto client = Client::open(dir.path());
    client.start_persistence(config);
    const Record pending = client.upload_file(pindeck::test::sample_images()[2]);
    const Record failed = client.wait_persisted(pending.id, 60s);
    ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
    const auto& error = failed.storage_persist_error.value_or("");
    EXPECT_NE(error.find("bucket '" + config.bucket + "' does not exist"), std::string::npos)
        << error;
    EXPECT_NE(error.find("PINDECK_S3_CREATE_BUCKET"), std::string::npos) << error;
    EXPECT_NE(error.find("not retried: fix the settings, then run a backfill"), std::string::npos)
        << error;
    EXPECT_EQ(failed.storage_id, pending.storage_id) << "the staged copy was let go";
    EXPECT_FALSE(bucket_exists(config.bucket)) << "a mistyped bucket was created";
  }
  config.create_bucket = true;
  auto client = Client::open(dir.path());
  client.start_persistence(config);
  EXPECT_EQ(client.backfill(), 1);
  RecordQuery query;
  const auto id = client.list(query).records.at(0).id;
  const Record done = client.wait_persisted(id, 60s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
  EXPECT_TRUE(bucket_exists(config.bucket));
  auto direct = direct_client(config.bucket);
  EXPECT_EQ(direct.head_object(*done.storage_path).content_type, *done.content_type);
}

// Wrong credentials: the pending record fails at once (not retried, not left pending) with a
// message that names the credentials and the variables that set them, never the secret; once the
// host fixes them, a backfill persists it.
TEST(ClientS3, WrongCredentialsFailTheRecordPlainlyAndABackfillAfterTheFixPersistsIt) {
  TempDir dir;
  auto config = s3_config("creds");
  const std::string right_secret = config.s3->secret_key;
  config.s3->secret_key = "wrong-secret-0123456789abcdefghijklmnopq";
  {
    auto client = Client::open(dir.path());
    client.start_persistence(config);
    const Record pending = client.upload_file(pindeck::test::sample_images()[2]);
    EXPECT_EQ(pending.storage_persist_status, PersistStatus::pending);
    const Record failed = client.wait_persisted(pending.id, 60s);
    ASSERT_EQ(failed.storage_persist_status, PersistStatus::failed);
    const auto& error = failed.storage_persist_error.value_or("");
    EXPECT_NE(error.find("refused the credentials of access key '" + config.s3->access_key + "'"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("PINDECK_S3_SECRET_KEY"), std::string::npos) << error;
    EXPECT_NE(error.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << error;
    EXPECT_NE(error.find("not retried"), std::string::npos) << error;
    EXPECT_EQ(error.find(config.s3->secret_key), std::string::npos)
        << "the secret is in: " << error;
    EXPECT_EQ(error.find(right_secret), std::string::npos);
  }
  config.s3->secret_key = right_secret;
  auto client = Client::open(dir.path());
  client.start_persistence(config);
  EXPECT_EQ(client.backfill(), 1) << "a configuration failure was not picked by backfill";
  const auto id = client.list(RecordQuery{}).records.at(0).id;
  const Record done = client.wait_persisted(id, 60s);
  EXPECT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
}

}  // namespace
}  // namespace pindeck
