// SPDX-License-Identifier: Apache-2.0
// PersistenceConfig::from_env, the library's one reader of its environment: PINDECK_S3_* first,
// then the standard AWS_* variables, else the local object store. And the ranges every setting
// is checked against before persistence starts.
#include <gtest/gtest.h>

#include <functional>

#include "expect_invalid.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pindeck/persistence.hpp"
#include "pipeline/persistence_config.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3/config.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

namespace pindeck::pipeline {
namespace {

using pindeck::test::expect_invalid;
using pindeck::test::ScopedEnv;

constexpr const char* kEveryVariable[] = {"PINDECK_S3_ENDPOINT",
                                          "PINDECK_S3_REGION",
                                          "PINDECK_S3_ACCESS_KEY",
                                          "PINDECK_S3_SECRET_KEY",
                                          "PINDECK_S3_SESSION_TOKEN",
                                          "PINDECK_S3_BUCKET",
                                          "PINDECK_S3_CA_FILE",
                                          "PINDECK_S3_PUBLIC_URL",
                                          "PINDECK_S3_CREATE_BUCKET",
                                          "PINDECK_STAGING_DIR",
                                          "AWS_ENDPOINT_URL_S3",
                                          "AWS_ENDPOINT_URL",
                                          "AWS_REGION",
                                          "AWS_DEFAULT_REGION",
                                          "AWS_ACCESS_KEY_ID",
                                          "AWS_SECRET_ACCESS_KEY",
                                          "AWS_SESSION_TOKEN",
                                          "AWS_CA_BUNDLE"};

struct PersistenceConfigFromEnv : ::testing::Test {
  void SetUp() override {
    for (const char* name : kEveryVariable) env.unset(name);
  }
  void set_aws() {
    env.set("AWS_ENDPOINT_URL", "https://aws.example.com");
    env.set("AWS_REGION", "us-west-2");
    env.set("AWS_ACCESS_KEY_ID", "AWSKEY");
    env.set("AWS_SECRET_ACCESS_KEY", "aws-secret");
    env.set("AWS_SESSION_TOKEN", "aws-token");
    env.set("AWS_CA_BUNDLE", "/etc/aws-ca.pem");
  }
  ScopedEnv env;
};

TEST_F(PersistenceConfigFromEnv, CreatingTheBucketIsOffUnlessTheVariableSaysSo) {
  EXPECT_FALSE(PersistenceConfig{}.create_bucket);
  EXPECT_FALSE(PersistenceConfig::from_env().create_bucket);
  for (const char* yes : {"1", "true", "YES", "on"}) {
    env.set("PINDECK_S3_CREATE_BUCKET", yes);
    EXPECT_TRUE(PersistenceConfig::from_env().create_bucket) << yes;
  }
  for (const char* no : {"0", "false", "No", "off"}) {
    env.set("PINDECK_S3_CREATE_BUCKET", no);
    EXPECT_FALSE(PersistenceConfig::from_env().create_bucket) << no;
  }
  env.set("PINDECK_S3_CREATE_BUCKET", "maybe");
  try {
    PersistenceConfig::from_env();
    FAIL() << "PINDECK_S3_CREATE_BUCKET=maybe was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(std::string(e.what()).find("PINDECK_S3_CREATE_BUCKET"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'maybe'"), std::string::npos);
  }
}

TEST_F(PersistenceConfigFromEnv, TheStagingDirectoryMustBeAnAbsolutePath) {
  EXPECT_TRUE(PersistenceConfig::from_env().staging_dir.empty()) << "<data dir>/staging";
  env.set("PINDECK_STAGING_DIR", "");
  EXPECT_TRUE(PersistenceConfig::from_env().staging_dir.empty());
  env.set("PINDECK_STAGING_DIR", "/mnt/shared/pindeck-staging");
  EXPECT_EQ(PersistenceConfig::from_env().staging_dir, "/mnt/shared/pindeck-staging");
  for (const char* relative : {"shared/staging", "./staging", "~/staging"}) {
    env.set("PINDECK_STAGING_DIR", relative);
    expect_invalid(
        [] { PersistenceConfig::from_env(); },
        std::string("PINDECK_STAGING_DIR must be an absolute path, not '") + relative + "'");
  }
}

TEST_F(PersistenceConfigFromEnv, NeitherFamilySetMeansTheLocalStore) {
  const PersistenceConfig config = PersistenceConfig::from_env();
  EXPECT_FALSE(config.s3.has_value());
  EXPECT_EQ(config.bucket, "pindeck");
}

TEST_F(PersistenceConfigFromEnv, EmptyValuesCountAsUnset) {
  env.set("PINDECK_S3_ENDPOINT", "");
  env.set("AWS_ENDPOINT_URL", "");
  env.set("PINDECK_S3_BUCKET", "");
  const PersistenceConfig config = PersistenceConfig::from_env();
  EXPECT_FALSE(config.s3.has_value());
  EXPECT_EQ(config.bucket, "pindeck");
}

TEST_F(PersistenceConfigFromEnv, BucketAloneRenamesTheLocalStoresBucket) {
  env.set("PINDECK_S3_BUCKET", "media");
  const PersistenceConfig config = PersistenceConfig::from_env();
  EXPECT_FALSE(config.s3.has_value());
  EXPECT_EQ(config.bucket, "media");
}

TEST_F(PersistenceConfigFromEnv, AwsVariablesAloneConfigureS3) {
  set_aws();
  const PersistenceConfig config = PersistenceConfig::from_env();
  ASSERT_TRUE(config.s3.has_value());
  EXPECT_EQ(config.s3->endpoint, "https://aws.example.com");
  EXPECT_EQ(config.s3->region, "us-west-2");
  EXPECT_EQ(config.s3->access_key, "AWSKEY");
  EXPECT_EQ(config.s3->secret_key, "aws-secret");
  EXPECT_EQ(config.s3->session_token, "aws-token");
  EXPECT_EQ(config.s3->ca_file, "/etc/aws-ca.pem");
  EXPECT_EQ(config.s3->public_base_url, "");
}

TEST_F(PersistenceConfigFromEnv, PindeckVariablesWinOverAwsOnes) {
  set_aws();
  env.set("PINDECK_S3_ENDPOINT", "http://127.0.0.1:9000");
  env.set("PINDECK_S3_REGION", "eu-west-3");
  env.set("PINDECK_S3_ACCESS_KEY", "PINDECKKEY");
  env.set("PINDECK_S3_SECRET_KEY", "pindeck-secret");
  env.set("PINDECK_S3_SESSION_TOKEN", "pindeck-token");
  env.set("PINDECK_S3_CA_FILE", "/etc/pindeck-ca.pem");
  env.set("PINDECK_S3_PUBLIC_URL", "https://cdn.example.com");
  env.set("PINDECK_S3_BUCKET", "media");
  const PersistenceConfig config = PersistenceConfig::from_env();
  ASSERT_TRUE(config.s3.has_value());
  EXPECT_EQ(config.s3->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(config.s3->region, "eu-west-3");
  EXPECT_EQ(config.s3->access_key, "PINDECKKEY");
  EXPECT_EQ(config.s3->secret_key, "pindeck-secret");
  EXPECT_EQ(config.s3->session_token, "pindeck-token");
  EXPECT_EQ(config.s3->ca_file, "/etc/pindeck-ca.pem");
  EXPECT_EQ(config.s3->public_base_url, "https://cdn.example.com");
  EXPECT_EQ(config.bucket, "media");
}

TEST_F(PersistenceConfigFromEnv, AnAwsSessionTokenIsNotSentWithAPindeckKeyPair) {
  set_aws();
  env.set("PINDECK_S3_ACCESS_KEY", "PINDECKKEY");
  env.set("PINDECK_S3_SECRET_KEY", "pindeck-secret");
  const PersistenceConfig config = PersistenceConfig::from_env();
  ASSERT_TRUE(config.s3.has_value());
  EXPECT_EQ(config.s3->access_key, "PINDECKKEY");
  EXPECT_EQ(config.s3->secret_key, "pindeck-secret");
  EXPECT_EQ(config.s3->session_token, "");
  EXPECT_EQ(config.s3->endpoint, "https://aws.example.com") << "other settings still fall back";
}

TEST_F(PersistenceConfigFromEnv, EndpointAndRegionFallBackInTheirOrder) {
  env.set("AWS_ENDPOINT_URL", "https://general.example.com");
  env.set("AWS_ENDPOINT_URL_S3", "https://s3-only.example.com");
  env.set("AWS_DEFAULT_REGION", "ap-south-1");
  PersistenceConfig config = PersistenceConfig::from_env();
  ASSERT_TRUE(config.s3.has_value());
  EXPECT_EQ(config.s3->endpoint, "https://s3-only.example.com");
  EXPECT_EQ(config.s3->region, "ap-south-1");
  env.set("AWS_REGION", "eu-north-1");
  config = PersistenceConfig::from_env();
  EXPECT_EQ(config.s3->region, "eu-north-1");
  env.unset("AWS_DEFAULT_REGION");
  env.unset("AWS_REGION");
  EXPECT_EQ(PersistenceConfig::from_env().s3->region, "us-east-1") << "the default";
}

TEST_F(PersistenceConfigFromEnv, TheS3ClientIsConfiguredFromTheSameReader) {
  set_aws();
  const PersistenceConfig config = PersistenceConfig::from_env();
  const s3::Config client = s3_client_config(*config.s3, config.bucket);
  EXPECT_EQ(client.endpoint, "https://aws.example.com");
  EXPECT_EQ(client.region, "us-west-2");
  EXPECT_EQ(client.credentials.access_key, "AWSKEY");
  EXPECT_EQ(client.credentials.secret_key, "aws-secret");
  EXPECT_EQ(client.credentials.session_token, "aws-token");
  EXPECT_EQ(client.ca_file, "/etc/aws-ca.pem");
  EXPECT_EQ(client.bucket, "pindeck");
  EXPECT_NO_THROW(client.validate());
}

using namespace std::chrono_literals;

// One setting changed from the defaults, and what the refusal must say.
struct BadSetting {
  std::function<void(PersistenceConfig&)> change;
  std::string message;
};

TEST(PersistenceConfigRules, TheDefaultsAndTheEdgesOfEveryRangeAreAccepted) {
  EXPECT_NO_THROW(validate_persistence_config(PersistenceConfig{}));
  PersistenceConfig low;
  low.key_prefix = "";
  low.max_in_flight = 1;
  low.cpu_threads = 0;
  low.max_attempts = 1;
  low.retry_min_delay = 0ms;
  low.retry_max_delay = 0ms;
  low.lease = 100ms;
  low.poll_interval = 10ms;
  low.max_upload_bytes = 1;
  low.staging_orphan_age = 0ms;
  EXPECT_NO_THROW(validate_persistence_config(low));
  PersistenceConfig high;
  high.key_prefix = std::string(200, 'a') + "/" + std::string(200, 'b') + "/x_y.z-1";
  high.max_in_flight = 64;
  high.cpu_threads = 256;
  high.max_attempts = 100;
  high.retry_min_delay = 24h;
  high.retry_max_delay = 24h;
  high.lease = 24h;
  high.poll_interval = 1h;
  high.max_upload_bytes = std::uint64_t{5} << 40;
  high.staging_orphan_age = 24h * 365;
  high.s3 = S3Settings{};
  high.s3->endpoint = "https://s3.example.com:9000";
  high.staging_dir = "/" + std::string(3999, 's');
  EXPECT_NO_THROW(validate_persistence_config(high));
}

TEST(PersistenceConfigRules, EachSettingOutOfRangeIsRefusedNamingItAndTheRange) {
  const std::vector<BadSetting> bad{
      {[](auto& c) { c.key_prefix = "../../x"; },
       "persistence config: keyPrefix is invalid: prefix must not contain a \".\" or \"..\" "
       "segment"},
      {[](auto& c) { c.key_prefix = "/etc"; },
       "persistence config: keyPrefix is invalid: prefix must not start with '/'"},
      {[](auto& c) { c.key_prefix = "UPPER case!"; },
       "persistence config: keyPrefix is invalid: prefix may only contain [a-z0-9/_.-]"},
      {[](auto& c) { c.key_prefix = std::string(513, 'a'); },
       "persistence config: keyPrefix is invalid: prefix is longer than 512 bytes"},
      {[](auto& c) { c.bucket = "No_Such"; }, "persistence config: bucket is invalid: bucket"},
      {[](auto& c) { c.cpu_threads = -3; },
       "persistence config: cpuThreads must be 0 to 256 (0: one per core) (got -3)"},
      {[](auto& c) { c.cpu_threads = 257; }, "cpuThreads must be 0 to 256"},
      {[](auto& c) { c.max_in_flight = 1'000'000'000; },
       "persistence config: maxInFlight must be 1 to 64 (got 1000000000)"},
      {[](auto& c) { c.max_in_flight = 0; }, "maxInFlight must be 1 to 64 (got 0)"},
      {[](auto& c) { c.max_uploading = -1; }, "maxUploading must be 0 to 1024 (got -1)"},
      {[](auto& c) { c.max_uploading = 1025; }, "maxUploading must be 0 to 1024 (got 1025)"},
      {[](auto& c) { c.max_attempts = 0; }, "maxAttempts must be 1 to 100 (got 0)"},
      {[](auto& c) { c.max_attempts = 101; }, "maxAttempts must be 1 to 100 (got 101)"},
      {[](auto& c) { c.max_upload_bytes = static_cast<std::uint64_t>(-1); },
       "maxUploadBytes must be 1 to 5497558138880 bytes (got 18446744073709551615)"},
      {[](auto& c) { c.max_upload_bytes = 0; }, "maxUploadBytes must be 1 to"},
      {[](auto& c) { c.retry_min_delay = -1ms; },
       "retryMinDelayMs must be 0 to 86400000 ms (got -1)"},
      {[](auto& c) { c.retry_max_delay = 1000ms; },
       "retryMaxDelayMs must be 2000 to 86400000 ms (got 1000)"},
      {[](auto& c) { c.lease = 99ms; }, "leaseMs must be 100 to 86400000 ms (got 99)"},
      {[](auto& c) { c.poll_interval = 0ms; }, "pollIntervalMs must be 10 to 3600000 ms (got 0)"},
      {[](auto& c) { c.staging_orphan_age = -5ms; }, "stagingOrphanAgeMs must be 0 to"},
      {[](auto& c) { c.staging_dir = "shared/staging"; },
       "persistence config: stagingDir must be an absolute path (got 'shared/staging')"},
      {[](auto& c) { c.staging_dir = "/" + std::string(4000, 's'); },
       "persistence config: stagingDir must be at most 4000 bytes (got 4001)"},
      {[](auto& c) { c.staging_dir = std::string("/mnt/a\0b", 8); },
       "persistence config: stagingDir must not contain a NUL byte"},
      {[](auto& c) {
         c.s3 = S3Settings{};
         c.s3->endpoint = "s3.example.com";
       },
       "persistence config: s3.endpoint is invalid: "},
      {[](auto& c) {
         c.s3 = S3Settings{};
         c.s3->endpoint = "http://127.0.0.1:9000";
         c.s3->region = "";
       },
       "persistence config: s3.region must not be empty"},
      {[](auto& c) {
         c.s3 = S3Settings{};
         c.s3->endpoint = "http://127.0.0.1:9000";
         c.s3->public_base_url = "https://cdn.example.com/" + std::string(4073, 'p');
       },
       "persistence config: s3.publicBaseUrl must be at most 4096 bytes (got 4097)"},
  };
  for (const auto& setting : bad) {
    PersistenceConfig config;
    setting.change(config);
    expect_invalid([&] { validate_persistence_config(config); }, setting.message);
  }
}

TEST(PersistenceConfigRules, AClientStartsNothingWithABadSetting) {
  pindeck::test::TempDir dir;
  Client client = Client::open(dir.path() / "data");
  PersistenceConfig config;
  config.key_prefix = "../../x";
  expect_invalid([&] { client.start_persistence(config); }, "keyPrefix");
  config.key_prefix = "media-uploads";
  config.cpu_threads = -3;
  expect_invalid([&] { client.start_persistence(config); }, "cpuThreads");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "objects"))
      << "an object store was prepared for a refused config";
  // Nothing runs, so a good config still starts, once.
  config.cpu_threads = 1;
  EXPECT_NO_THROW(client.start_persistence(config));
  try {
    client.start_persistence(config);
    ADD_FAILURE() << "persistence started twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::conflict);
  }
}

}  // namespace
}  // namespace pindeck::pipeline
