# SPDX-License-Identifier: Apache-2.0
# Sourced by the examples' test scripts: exports the test S3 server's settings (the file named by
# PINDECK_TEST_S3_ENV) as the PINDECK_S3_* variables a user of the library sets.
# shellcheck shell=bash disable=SC1090
source "$PINDECK_TEST_S3_ENV"
export PINDECK_S3_ENDPOINT=$S3_ENDPOINT PINDECK_S3_REGION=$S3_REGION \
  PINDECK_S3_ACCESS_KEY=$S3_ACCESS_KEY PINDECK_S3_SECRET_KEY=$S3_SECRET_KEY \
  PINDECK_S3_BUCKET=$S3_BUCKET
