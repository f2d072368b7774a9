// SPDX-License-Identifier: Apache-2.0
#include "pipeline/s3_object_store.hpp"

#include <algorithm>

#include "model/storage_names.hpp"
#include "pindeck/error.hpp"
#include "s3/client.hpp"

namespace pindeck::pipeline {

namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// S3 codes saying the server does not accept the credentials (or the request was signed for the
// wrong region), so every request will fail until the host changes them. HEAD answers carry no
// body: their 403 is just "Forbidden".
bool is_credentials_refusal(const s3::S3Error& e) {
  static constexpr std::string_view codes[] = {"SignatureDoesNotMatch",
                                               "InvalidAccessKeyId",
                                               "InvalidToken",
                                               "ExpiredToken",
                                               "TokenRefreshRequired",
                                               "InvalidSecurity",
                                               "AccessDenied",
                                               "Forbidden",
                                               "AuthorizationHeaderMalformed",
                                               "InvalidClientTokenId",
                                               "MissingSecurityHeader"};
  for (auto code : codes) {
    if (e.s3_code() == code) return true;
  }
  return false;
}

bool is_missing_bucket(const s3::S3Error& e) {
  return e.s3_code() == "NoSuchBucket" || (e.http_status() == 404 && e.s3_code() == "NotFound");
}

constexpr std::string_view credential_settings =
    "check the access key and the secret key (PINDECK_S3_ACCESS_KEY and PINDECK_S3_SECRET_KEY, "
    "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; S3Settings::access_key and secret_key; "
    "\"accessKey\" and \"secretKey\" of pd_persistence_start), their session token and the "
    "region, then run a backfill";

}  // namespace

s3::Config s3_config_for(const S3Settings& settings, const std::string& bucket) {
  s3::Config config;
  config.endpoint = settings.endpoint;
  config.region = settings.region;
  config.credentials.access_key = settings.access_key;
  config.credentials.secret_key = settings.secret_key;
  config.credentials.session_token = settings.session_token;
  config.bucket = bucket;
  config.ca_file = settings.ca_file;
  return config;
}

s3::Config s3_client_config(const S3Settings& settings, const std::string& bucket) {
  s3::Config config = s3_config_for(settings, bucket);
  // The pipeline has its own backoff between attempts (seconds apart, surviving restarts); the
  // client only smooths over a brief hiccup.
  config.retry.max_attempts = 2;
  config.retry.total_time = std::chrono::milliseconds(15000);
  config.connect_timeout = std::chrono::milliseconds(5000);
  // Jobs past their CPU part wait on their uploads (PersistenceConfig::max_uploading), five objects
  // each: against a distant store, connections rather than cores would otherwise bound the rate.
  config.max_connections = 64;
  return config;
}

S3ObjectStore::S3ObjectStore(const S3Settings& settings, std::string bucket, bool create_bucket)
    : bucket_(std::move(bucket)),
      endpoint_(settings.endpoint),
      access_key_(settings.access_key),
      public_base_url_(without_trailing_slash(
          settings.public_base_url.empty() ? settings.endpoint : settings.public_base_url)),
      create_bucket_(create_bucket),
      client_(std::make_unique<s3::Client>(s3_client_config(settings, bucket_))) {}

S3ObjectStore::~S3ObjectStore() = default;

void S3ObjectStore::start_put(std::string_view key, s3::BodySource body,
                              std::string_view content_type, WriteDone done) {
  s3::PutOptions options;
  options.content_type = std::string(content_type);
  client_->async_put_object(
      std::string(key), std::move(body), std::move(options),
      [this, done = std::move(done)](std::exception_ptr failure, s3::PutResult) {
        if (failure) {
          // The bucket may be gone, or the server another one: check again.
          std::lock_guard lock(bucket_mutex_);
          if (bucket_state_ == BucketState::ready) {
            bucket_state_ = BucketState::unchecked;
          }
        }
        done(explain(failure));
      });
}

void S3ObjectStore::async_put_file(std::string_view key, const std::filesystem::path& file,
                                   std::string_view content_type, WriteDone done) {
  model::validate_object_key(key);
  std::shared_ptr<const s3::File> opened;
  try {
    opened = s3::File::open_for_reading(file.string());
  } catch (...) {
    done(std::current_exception());
    return;
  }
  start_put(key, s3::BodySource::from_file(std::move(opened)), content_type, std::move(done));
}

void S3ObjectStore::async_put_bytes(std::string_view key, std::span<const std::byte> bytes,
                                    std::string_view content_type, WriteDone done) {
  model::validate_object_key(key);
  auto buffer = std::make_shared<const std::string>(reinterpret_cast<const char*>(bytes.data()),
                                                    bytes.size());
  start_put(key, s3::BodySource::from_buffer(std::move(buffer)), content_type, std::move(done));
}

std::optional<StoredObject> S3ObjectStore::head(std::string_view key) {
  model::validate_object_key(key);
  try {
    const auto info = client_->head_object(std::string(key));
    return StoredObject{info.content_length, info.content_type};
  } catch (const s3::S3Error& e) {
    if (e.http_status() == 404) return std::nullopt;
    throw;
  }
}

void S3ObjectStore::remove(std::string_view key) {
  model::validate_object_key(key);
  client_->delete_object(std::string(key));
}

std::vector<RemoveFailure> S3ObjectStore::remove_many(const std::vector<std::string>& keys) {
  std::vector<RemoveFailure> failed;
  if (keys.empty()) return failed;
  for (const auto& key : keys) model::validate_object_key(key);
  for (auto& failure : client_->delete_objects(keys).failed) {
    failed.push_back({std::move(failure.key), failure.code + ": " + failure.message});
  }
  return failed;
}

void S3ObjectStore::async_read(std::string_view key, bool with_body, ReadDone done) {
  model::validate_object_key(key);
  auto found = [done](std::exception_ptr failure, const s3::ObjectHead& head, std::string bytes) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const s3::S3Error& e) {
        if (e.http_status() != 404) return done(failure, std::nullopt);
      } catch (...) {
        return done(failure, std::nullopt);
      }
      return done(nullptr, std::nullopt);
    }
    done(nullptr, ReadObject{{head.content_length, head.content_type}, std::move(bytes)});
  };
  if (with_body) {
    client_->async_get_object(std::string(key), std::string(), s3::GetOptions{},
                              [found](std::exception_ptr failure, s3::GetResult result) {
                                found(failure, result.info, std::move(result.body));
                              });
  } else {
    client_->async_head_object(std::string(key),
                               [found](std::exception_ptr failure, s3::ObjectHead head) {
                                 found(failure, head, std::string());
                               });
  }
}

bool S3ObjectStore::read_to_file(std::string_view key, const std::filesystem::path& file) {
  model::validate_object_key(key);
  try {
    client_->get_object_to_file(std::string(key), file.string());
    return true;
  } catch (const s3::S3Error& e) {
    if (e.http_status() == 404) return false;
    throw;
  }
}

std::vector<std::string> S3ObjectStore::list(std::string_view prefix) {
  s3::ListOptions options;
  options.prefix = std::string(prefix);
  std::vector<std::string> keys;
  for (auto& object : client_->list_all_objects(options).objects)
    keys.push_back(std::move(object.key));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string S3ObjectStore::public_url(std::string_view key) const {
  return public_base_url_ + "/" + bucket_ + "/" + std::string(key);
}

void S3ObjectStore::async_prepare(WriteDone done) {
  {
    std::lock_guard lock(bucket_mutex_);
    if (bucket_state_ != BucketState::ready) {
      bucket_waiters_.push_back(std::move(done));
      if (bucket_state_ == BucketState::checking) return;
      bucket_state_ = BucketState::checking;
      start_bucket_check();
      return;
    }
  }
  done(nullptr);
}

void S3ObjectStore::start_bucket_check() {
  client_->async_head_bucket(bucket_, [this](std::exception_ptr failure) {
    if (failure && create_bucket_) {
      try {
        std::rethrow_exception(failure);
      } catch (const s3::S3Error& e) {
        if (is_missing_bucket(e)) return create_missing_bucket();
      } catch (...) {
      }
    }
    bucket_checked(explain(failure));
  });
}

void S3ObjectStore::create_missing_bucket() {
  client_->async_create_bucket(bucket_, [this](std::exception_ptr failure) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const s3::S3Error& e) {
        // Another process created it in between.
        if (e.s3_code() == "BucketAlreadyOwnedByYou") failure = nullptr;
      } catch (...) {
      }
    }
    bucket_checked(explain(failure));
  });
}

void S3ObjectStore::bucket_checked(std::exception_ptr failure) {
  std::vector<WriteDone> waiters;
  {
    std::lock_guard lock(bucket_mutex_);
    bucket_state_ = failure ? BucketState::unchecked : BucketState::ready;
    waiters.swap(bucket_waiters_);
  }
  for (auto& waiter : waiters) waiter(failure);
}

std::exception_ptr S3ObjectStore::explain(std::exception_ptr failure) const {
  if (!failure) return failure;
  try {
    std::rethrow_exception(failure);
  } catch (const s3::S3Error& e) {
    if (is_missing_bucket(e)) {
      return std::make_exception_ptr(StoreConfigurationError(
          "bucket '" + bucket_ + "' does not exist on " + endpoint_ +
          ": create it (for example with `aws s3 mb s3://" + bucket_ +
          "`), or let pindeck create it (PersistenceConfig::create_bucket, "
          "PINDECK_S3_CREATE_BUCKET=1, \"createBucket\": true in pd_persistence_start, "
          "pindeck upload|backfill --create-bucket), or correct the bucket name "
          "(PINDECK_S3_BUCKET), then run a backfill"));
    }
    if (is_credentials_refusal(e)) {
      return std::make_exception_ptr(StoreConfigurationError(
          "the S3 server at " + endpoint_ + " refused the credentials of access key '" +
          access_key_ + "' for bucket '" + bucket_ + "' (" + e.what() +
          "): " + std::string(credential_settings)));
    }
  } catch (...) {
  }
  return failure;
}

}  // namespace pindeck::pipeline
