// SPDX-License-Identifier: Apache-2.0
// PersistenceConfig::from_env, the library's one reader of its environment: PINDECK_S3_* first,
// then the standard AWS_* variables, else the local object store.
#include <gtest/gtest.h>

#include "pindeck/error.hpp"
#include "pindeck/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "s3/config.hpp"
#include "scoped_env.hpp"

namespace pindeck::pipeline {
namespace {

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

}  // namespace
}  // namespace pindeck::pipeline
