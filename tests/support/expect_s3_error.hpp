// SPDX-License-Identifier: Apache-2.0
// Expects a call to throw s3::S3Error with the HTTP status and S3 error code the server answered.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "s3/error.hpp"

namespace pindeck::test {

template <typename Call>
void expect_s3_error(Call&& call, int http_status, const std::string& s3_code) {
  try {
    call();
    ADD_FAILURE() << "expected S3Error " << http_status << " " << s3_code;
  } catch (const s3::S3Error& e) {
    EXPECT_EQ(e.code(), Errc::s3) << e.what();
    EXPECT_EQ(e.http_status(), http_status) << e.what();
    EXPECT_EQ(e.s3_code(), s3_code) << e.what();
  }
}

}  // namespace pindeck::test
