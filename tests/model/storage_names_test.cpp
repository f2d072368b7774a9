// SPDX-License-Identifier: Apache-2.0
// The one validator of bucket names and of the library's object keys.
#include "model/storage_names.hpp"

#include <gtest/gtest.h>

#include <string>

#include "expect_invalid.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {
namespace {

using pindeck::test::expect_invalid;

TEST(BucketName, AcceptsWhatS3Accepts) {
  for (const char* name : {"pindeck", "abc", "my-bucket.media-2", "0a9", "1.2.3", "a-b.c-d.e-f",
                           "192.168.5.4x", "1.2.3.4.5"}) {
    EXPECT_NO_THROW(validate_bucket_name(name)) << name;
  }
  EXPECT_NO_THROW(validate_bucket_name(std::string(63, 'a')));
}

TEST(BucketName, RefusesWhatS3Refuses) {
  for (const char* name : {"", "ab", "Pindeck", "my_bucket", "-abc", "abc-", ".abc", "abc.", "a..b",
                           "a b", "caf\xc3\xa9"}) {
    expect_invalid([&] { validate_bucket_name(name); }, "bucket \"");
  }
  expect_invalid([] { validate_bucket_name(std::string(64, 'a')); }, "3-63 characters");
  expect_invalid([] { validate_bucket_name("a..b"); }, "no \"..\"");
  expect_invalid([] { validate_bucket_name("192.168.5.4"); }, "IP address");
  expect_invalid([] { validate_bucket_name("10.0.0.255"); }, "IP address");
}

TEST(ObjectKey, EnforcesTheStoreLimits) {
  EXPECT_NO_THROW(validate_object_key("a/b.c/d_e-f"));
  EXPECT_NO_THROW(validate_object_key("..a/b..")) << "dots inside a segment are fine";
  expect_invalid([] { validate_object_key(""); }, "empty");
  expect_invalid([] { validate_object_key("a/./b"); }, "\".\"");
  expect_invalid([] { validate_object_key("a/../b"); }, "\"..\"");
  expect_invalid([] { validate_object_key("/a"); }, "start with '/'");
  expect_invalid([] { validate_object_key("a/b/"); }, "end with '/'");
  expect_invalid([] { validate_object_key("a//b"); }, "\"//\"");
  expect_invalid([] { validate_object_key("a b"); }, "' '");
  expect_invalid([] { validate_object_key("A.jpg"); }, "[a-z0-9/_.-]");
  expect_invalid([] { validate_object_key(std::string(256, 'a')); }, "255 bytes");
  EXPECT_NO_THROW(validate_object_key(std::string(max_key_segment_bytes, 'a')));
  std::string long_key;
  for (int i = 0; i < 6; ++i) long_key.append(200, 'a').append("/");
  long_key += "x";
  expect_invalid([&] { validate_object_key(long_key); }, "1024 bytes");
  EXPECT_NO_THROW(validate_object_key(long_key.substr(long_key.size() - max_object_key_bytes)));
}

TEST(KeyPrefix, EmptyIsAllowedElseTheKeyRules) {
  EXPECT_NO_THROW(validate_key_prefix(""));
  EXPECT_NO_THROW(validate_key_prefix("media-uploads/team_a"));
  expect_invalid([] { validate_key_prefix("trailing/"); }, "prefix must not end with '/'");
  expect_invalid([] { validate_key_prefix("../up"); }, "prefix");
}

}  // namespace
}  // namespace pindeck::model
