// SPDX-License-Identifier: Apache-2.0
// The C ABI's persistence functions (upload, backfill, wait) over pindeck::Client.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "capi/json_shapes.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/persistence.hpp"

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::copy_out;
using pindeck::capi::live_client;
using pindeck::capi::metadata_or_default;
using pindeck::capi::require_arg;
using pindeck::capi::reset_out;

char* record_out(const pindeck::Record& record) {
  return copy_out(pindeck::record_to_json(record));
}

template <typename T>
void read_field(const json& object, const char* name, T& target) {
  const auto it = object.find(name);
  if (it == object.end()) return;
  try {
    target = it->get<T>();
  } catch (const json::exception&) {
    throw Error(Errc::invalid,
                std::string("persistence config: \"") + name + "\" has the wrong type");
  }
}

// A whole number (3.0 is 3; 2.5, 1e30 and "3" are refused) that fits T; the ranges that make
// sense are checked afterwards, for every host alike, by the config's own validation.
template <typename T>
void read_integer(const json& object, const char* name, T& target) {
  const auto it = object.find(name);
  if (it == object.end()) return;
  const auto refuse = [name](const std::string& problem) {
    throw Error(Errc::invalid, std::string("persistence config: ") + name + " " + problem);
  };
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (!std::isfinite(d) || d != std::trunc(d)) {
      refuse("must be a whole number, not " + it->dump());
    }
    if (d < 0 && std::is_unsigned_v<T>) refuse("must not be negative (got " + it->dump() + ")");
    // T's largest value plus one is a power of two, exact as a double.
    if (d < static_cast<double>(std::numeric_limits<T>::min()) ||
        d >= static_cast<double>(std::numeric_limits<T>::max()) + 1.0) {
      refuse("is out of range (got " + it->dump() + ")");
    }
    target = static_cast<T>(d);
    return;
  }
  if (!it->is_number_integer()) {
    refuse("must be a whole number, not " + std::string(it->type_name()));
  }
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
      refuse("is out of range (got " + it->dump() + ")");
    }
    target = static_cast<T>(u);
    return;
  }
  const auto v = it->get<std::int64_t>();
  if constexpr (std::is_unsigned_v<T>) {
    if (v < 0) refuse("must not be negative (got " + it->dump() + ")");
  } else {
    if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
      refuse("is out of range (got " + it->dump() + ")");
    }
  }
  target = static_cast<T>(v);
}

void read_ms(const json& object, const char* name, std::chrono::milliseconds& target) {
  std::int64_t ms = target.count();
  read_integer(object, name, ms);
  target = std::chrono::milliseconds(ms);
}

pindeck::PersistenceConfig config_from_json(const char* text) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    throw Error(Errc::invalid, std::string("persistence config is not valid JSON: ") + e.what());
  }
  if (!object.is_object()) throw Error(Errc::invalid, "persistence config must be a JSON object");
  static const char* const known[] = {"bucket",
                                      "keyPrefix",
                                      "s3",
                                      "maxInFlight",
                                      "maxUploading",
                                      "cpuThreads",
                                      "maxAttempts",
                                      "retryMinDelayMs",
                                      "retryMaxDelayMs",
                                      "leaseMs",
                                      "pollIntervalMs",
                                      "maxUploadBytes",
                                      "stagingOrphanAgeMs",
                                      "createBucket",
                                      "stagingDir"};
  for (const auto& [key, value] : object.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      throw Error(Errc::invalid, "persistence config: unknown field \"" + key + "\"");
    }
  }
  pindeck::PersistenceConfig config;
  read_field(object, "bucket", config.bucket);
  read_field(object, "keyPrefix", config.key_prefix);
  read_field(object, "createBucket", config.create_bucket);
  read_integer(object, "maxInFlight", config.max_in_flight);
  read_integer(object, "maxUploading", config.max_uploading);
  read_integer(object, "cpuThreads", config.cpu_threads);
  read_integer(object, "maxAttempts", config.max_attempts);
  read_ms(object, "retryMinDelayMs", config.retry_min_delay);
  read_ms(object, "retryMaxDelayMs", config.retry_max_delay);
  read_ms(object, "leaseMs", config.lease);
  read_ms(object, "pollIntervalMs", config.poll_interval);
  read_integer(object, "maxUploadBytes", config.max_upload_bytes);
  read_ms(object, "stagingOrphanAgeMs", config.staging_orphan_age);
  std::string staging_dir;
  read_field(object, "stagingDir", staging_dir);
  config.staging_dir = staging_dir;
  if (const auto s3 = object.find("s3"); s3 != object.end() && !s3->is_null()) {
    if (!s3->is_object())
      throw Error(Errc::invalid, "persistence config: \"s3\" must be an object");
    pindeck::S3Settings settings;
    read_field(*s3, "endpoint", settings.endpoint);
    read_field(*s3, "region", settings.region);
    read_field(*s3, "accessKey", settings.access_key);
    read_field(*s3, "secretKey", settings.secret_key);
    read_field(*s3, "sessionToken", settings.session_token);
    read_field(*s3, "publicBaseUrl", settings.public_base_url);
    read_field(*s3, "caFile", settings.ca_file);
    config.s3 = std::move(settings);
  }
  return config;
}

}  // namespace

extern "C" {

int pd_persistence_start(pd_client* client, const char* config_json) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    c.start_persistence(config_json ? config_from_json(config_json)
                                    : pindeck::PersistenceConfig::from_env());
  });
}

int pd_upload_file(pd_client* client, const char* path, const char* metadata_json,
                   char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(path, "path");
    *out_json = record_out(c.upload_file(path, metadata_or_default(metadata_json)));
  });
}

int pd_upload_bytes(pd_client* client, const void* data, size_t size, const char* file_name,
                    const char* metadata_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    if (size > 0) require_arg(data, "data");
    const auto bytes = std::span(static_cast<const std::byte*>(data), size);
    *out_json = record_out(
        c.upload_bytes(bytes, metadata_or_default(metadata_json), file_name ? file_name : ""));
  });
}

int pd_upload_stream(pd_client* client, pd_read_fn read, void* user, const char* file_name,
                     const char* metadata_json, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(reinterpret_cast<const void*>(read), "read");
    *out_json = record_out(c.upload_reader(
        [&](std::byte* buffer, std::size_t capacity) -> std::size_t {
          const std::int64_t n = read(user, buffer, capacity);
          if (n < 0) throw Error(Errc::io, "the read callback reported an error");
          if (static_cast<std::uint64_t>(n) > capacity) {
            throw Error(Errc::invalid, "the read callback returned more bytes than asked for");
          }
          return static_cast<std::size_t>(n);
        },
        metadata_or_default(metadata_json), file_name ? file_name : ""));
  });
}

int pd_backfill(pd_client* client, int limit, int* out_count) {
  return pd_backfill_ex(client, limit, 0, out_count);
}

int pd_queue_counts(pd_client* client, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    const auto counts = live_client(client).queue_counts();
    const json answer = {{"queued", counts.queued},
                         {"claimed", counts.claimed},
                         {"retryLater", counts.retry_later},
                         {"failed", counts.failed},
                         {"queuedBySite", counts.queued_by_site}};
    *out_json = copy_out(answer.dump());
  });
}

int pd_worker_counts(pd_client* client, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    const auto counts = live_client(client).worker_counts();
    const json answer = {{"claimed", counts.claimed},   {"succeeded", counts.succeeded},
                         {"retried", counts.retried},   {"failed", counts.failed},
                         {"released", counts.released}, {"inFlight", counts.in_flight}};
    *out_json = copy_out(answer.dump());
  });
}

int pd_backfill_ex(pd_client* client, int limit, unsigned int flags, int* out_count) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    if ((flags & ~PD_BACKFILL_INCLUDE_PERMANENT) != 0) {
      throw Error(Errc::invalid, "pd_backfill_ex: unknown flags " + std::to_string(flags));
    }
    pindeck::BackfillOptions options;
    options.limit = limit;
    options.include_permanent = (flags & PD_BACKFILL_INCLUDE_PERMANENT) != 0;
    const int count = c.backfill(options);
    if (out_count != nullptr) *out_count = count;
  });
}

int pd_resample_palette(pd_client* client, const char* id, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    *out_json = record_out(c.resample_palette(id));
  });
}

int pd_wait_persisted(pd_client* client, const char* id, std::int64_t timeout_ms, char** out_json) {
  return pindeck::capi::guard([&] {
    reset_out(out_json, "out_json");
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    if (timeout_ms < 0) throw Error(Errc::invalid, "timeout_ms must not be negative");
    *out_json = record_out(c.wait_persisted(id, std::chrono::milliseconds(timeout_ms)));
  });
}

int pd_wait_persisted_async(pd_client* client, const char* id, std::int64_t timeout_ms,
                            pd_record_callback callback, void* user) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(id, "id");
    require_arg(reinterpret_cast<const void*>(callback), "callback");
    if (timeout_ms < 0) throw Error(Errc::invalid, "timeout_ms must not be negative");
    pindeck::async_wait_persisted(
        c, id, std::chrono::milliseconds(timeout_ms),
        [callback, user](std::exception_ptr error, pindeck::Record record) {
          std::string record_json;
          std::string message;
          const int status = pindeck::capi::guard([&] {
            if (error) std::rethrow_exception(error);
            record_json = pindeck::record_to_json(record);
          });
          if (status != PD_OK) message = pd_last_error();
          callback(user, status, status == PD_OK ? record_json.c_str() : nullptr, message.c_str());
        });
  });
}

int pd_object_read(pd_client* client, const char* key, unsigned char** out_data, size_t* out_size) {
  return pindeck::capi::guard([&] {
    require_arg(out_data, "out_data");
    *out_data = nullptr;
    require_arg(out_size, "out_size");
    *out_size = 0;
    pindeck::Client& c = live_client(client);
    require_arg(key, "key");
    const auto bytes = c.read_object(key);
    // malloc(0) may give NULL: an empty object still gets memory, so success is never NULL.
    auto* copy = static_cast<unsigned char*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, bytes.data(), bytes.size());
    *out_data = copy;
    *out_size = bytes.size();
  });
}

void pd_bytes_free(unsigned char* data) {
  std::free(data);
}
}
