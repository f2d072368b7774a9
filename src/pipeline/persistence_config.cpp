// SPDX-License-Identifier: Apache-2.0
#include "pipeline/persistence_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <utility>

#include "model/storage_names.hpp"
#include "pindeck/error.hpp"
#include "pindeck/persistence.hpp"
#include "pindeck/record.hpp"
#include "s3/config.hpp"
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

// A relative path would be resolved against whatever directory the host process happens to run
// in, so hosts meant to share one store could each end up with a store of their own.
std::filesystem::path env_absolute_path(const char* name) {
  auto value = util::env(name);
  if (!value) return {};
  std::filesystem::path path(std::move(*value));
  if (!path.is_absolute()) {
    throw Error(Errc::invalid,
                std::string(name) + " must be an absolute path, not '" + path.string() + "'");
  }
  return path;
}

}  // namespace

PersistenceConfig PersistenceConfig::from_env() {
  using util::env;
  using util::first_env;
  PersistenceConfig config;
  if (auto bucket = env("PINDECK_S3_BUCKET")) config.bucket = std::move(*bucket);
  config.create_bucket = env_flag("PINDECK_S3_CREATE_BUCKET", config.create_bucket);
  config.staging_dir = env_absolute_path("PINDECK_STAGING_DIR");
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

namespace pipeline {

namespace {

[[noreturn]] void refuse(std::string_view setting, const std::string& problem) {
  throw Error(Errc::invalid, "persistence config: " + std::string(setting) + " " + problem);
}

template <typename T>
void require_range(std::string_view setting, T value, T min, T max, std::string_view unit = "") {
  if (value < min || value > max) {
    refuse(setting, "must be " + std::to_string(min) + " to " + std::to_string(max) +
                        std::string(unit) + " (got " + std::to_string(value) + ")");
  }
}

void require_ms(std::string_view setting, std::chrono::milliseconds value,
                std::chrono::milliseconds min, std::chrono::milliseconds max) {
  require_range<std::int64_t>(setting, value.count(), min.count(), max.count(), " ms");
}

// Runs a naming rule of the model, naming the setting in its refusal.
template <typename Rule>
void check_name(std::string_view setting, const std::string& value, Rule&& rule) {
  try {
    rule(value);
  } catch (const Error& e) {
    refuse(setting, std::string("is invalid: ") + e.what());
  }
}

}  // namespace

void validate_persistence_config(const PersistenceConfig& c) {
  using L = PersistenceLimits;
  static_assert(L::base_url_bytes + 1 + 63 + 1 + model::max_object_key_bytes <= limits::url_bytes);
  check_name("bucket", c.bucket, model::validate_bucket_name);
  check_name("keyPrefix", c.key_prefix, model::validate_key_prefix);
  if (c.s3) {
    check_name("s3.endpoint", c.s3->endpoint, s3::parse_endpoint);
    // Record URLs are <base>/<bucket>/<key>: a base this long keeps them within limits::url_bytes.
    for (const auto& [setting, url] : {std::pair{"s3.endpoint", &c.s3->endpoint},
                                       std::pair{"s3.publicBaseUrl", &c.s3->public_base_url}}) {
      if (url->size() > L::base_url_bytes) {
        refuse(setting, "must be at most " + std::to_string(L::base_url_bytes) + " bytes (got " +
                            std::to_string(url->size()) + ")");
      }
    }
    if (c.s3->region.empty()) refuse("s3.region", "must not be empty");
  }
  require_range("maxInFlight", c.max_in_flight, 1, L::max_in_flight);
  require_range("maxUploading", c.max_uploading, 0, L::max_uploading);
  require_range("cpuThreads", c.cpu_threads, 0, L::cpu_threads, " (0: one per core)");
  require_range("maxAttempts", c.max_attempts, 1, L::max_attempts);
  require_ms("retryMinDelayMs", c.retry_min_delay, std::chrono::milliseconds(0), L::retry_delay);
  require_ms("retryMaxDelayMs", c.retry_max_delay, c.retry_min_delay, L::retry_delay);
  require_ms("leaseMs", c.lease, L::min_lease, L::max_lease);
  require_ms("pollIntervalMs", c.poll_interval, L::min_poll_interval, L::max_poll_interval);
  require_range<std::uint64_t>("maxUploadBytes", c.max_upload_bytes, 1, L::max_upload_bytes,
                               " bytes");
  require_ms("stagingOrphanAgeMs", c.staging_orphan_age, std::chrono::milliseconds(0),
             L::staging_orphan_age);
  if (!c.staging_dir.empty()) {
    const std::string& dir = c.staging_dir.native();
    if (dir.find('\0') != std::string::npos) refuse("stagingDir", "must not contain a NUL byte");
    if (!c.staging_dir.is_absolute()) {
      refuse("stagingDir", "must be an absolute path (got '" + dir + "')");
    }
    if (dir.size() > L::staging_dir_bytes) {
      refuse("stagingDir", "must be at most " + std::to_string(L::staging_dir_bytes) +
                               " bytes (got " + std::to_string(dir.size()) + ")");
    }
  }
}

std::filesystem::path staging_directory(const PersistenceConfig& config,
                                        const std::filesystem::path& data_dir) {
  return config.staging_dir.empty() ? data_dir / "staging" : config.staging_dir;
}

}  // namespace pipeline

}  // namespace pindeck
