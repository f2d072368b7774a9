// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>

#include "pindeck/error.hpp"
#include "pindeck/persistence.hpp"
#include "staging/store.hpp"
#include "util/env.hpp"

namespace pindeck {

// The staging store owns the upload limit; the public header cannot include it.
static_assert(PersistenceConfig::default_max_upload_bytes == staging::Store::default_max_bytes);

namespace {

bool env_flag(const char* name, bool fallback) {
  auto value = util::env(name);
  if (!value) return fallback;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* yes : {"1", "true", "yes", "on"}) {
    if (lower == yes) return true;
  }
  for (const char* no : {"0", "false", "no", "off"}) {
    if (lower == no) return false;
  }
  throw Error(Errc::invalid, std::string(name) + " must be 1, true, yes or on, or 0, false, no " +
                                 "or off, not '" + *value + "'");
}

}  // namespace

PersistenceConfig PersistenceConfig::from_env() {
  using util::env;
  using util::first_env;
  PersistenceConfig config;
  if (auto bucket = env("PINDECK_S3_BUCKET")) config.bucket = std::move(*bucket);
  config.create_bucket = env_flag("PINDECK_S3_CREATE_BUCKET", config.create_bucket);
  auto endpoint = first_env({"PINDECK_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (!endpoint) return config;
  S3Settings s3;
  s3.endpoint = std::move(*endpoint);
  if (auto region = first_env({"PINDECK_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"})) {
    s3.region = std::move(*region);
  }
  // The key, its secret and its session token belong together: a token left in the shell by an
  // AWS login must not be sent along with a key pair given for the S3 server.
  if (auto access_key = env("PINDECK_S3_ACCESS_KEY")) {
    s3.access_key = std::move(*access_key);
    s3.secret_key = env("PINDECK_S3_SECRET_KEY").value_or("");
    s3.session_token = env("PINDECK_S3_SESSION_TOKEN").value_or("");
  } else {
    s3.access_key = env("AWS_ACCESS_KEY_ID").value_or("");
    s3.secret_key = env("AWS_SECRET_ACCESS_KEY").value_or("");
    s3.session_token = env("AWS_SESSION_TOKEN").value_or("");
  }
  s3.public_base_url = env("PINDECK_S3_PUBLIC_URL").value_or("");
  s3.ca_file = first_env({"PINDECK_S3_CA_FILE", "AWS_CA_BUNDLE"}).value_or("");
  config.s3 = std::move(s3);
  return config;
}

}  // namespace pindeck
