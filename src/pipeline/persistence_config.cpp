#include <cstdlib>

#include "pindeck/persistence.hpp"

namespace pindeck {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

PersistenceConfig PersistenceConfig::from_env() {
  PersistenceConfig config;
  if (const auto bucket = env("PINDECK_S3_BUCKET"); !bucket.empty()) config.bucket = bucket;
  const auto endpoint = env("PINDECK_S3_ENDPOINT");
  if (endpoint.empty()) return config;
  S3Settings s3;
  s3.endpoint = endpoint;
  if (const auto region = env("PINDECK_S3_REGION"); !region.empty()) s3.region = region;
  s3.access_key = env("PINDECK_S3_ACCESS_KEY");
  s3.secret_key = env("PINDECK_S3_SECRET_KEY");
  s3.session_token = env("PINDECK_S3_SESSION_TOKEN");
  s3.public_base_url = env("PINDECK_S3_PUBLIC_URL");
  s3.ca_file = env("PINDECK_S3_CA_FILE");
  config.s3 = std::move(s3);
  return config;
}

}  // namespace pindeck
