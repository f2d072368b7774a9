// SPDX-License-Identifier: Apache-2.0
// The C ABI's S3 client (pindeck/s3.h) over pindeck::s3::Client: the host's JSON settings and
// options in, JSON results out, missing objects as PD_ERR_NOT_FOUND, and the asynchronous forms'
// callbacks on a thread of the handle's own.
#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capi/guard.hpp"
#include "model/storage_names.hpp"
#include "pindeck/persistence.hpp"
#include "pindeck/s3.h"
#include "pipeline/s3_object_store.hpp"
#include "s3/client.hpp"
#include "s3/limits.hpp"
#include "s3/validation.hpp"

struct pd_s3 {
  explicit pd_s3(pindeck::s3::Config config) : client(std::move(config)) {}

  // Asynchronous calls started and not yet past their callback; pd_s3_close waits for none.
  std::mutex mutex;
  std::condition_variable idle;
  std::size_t in_flight = 0;

  // Callbacks run here rather than on the client's I/O thread, so a slow callback never stalls
  // transfers and a callback may make blocking calls (which the I/O thread could not serve).
  boost::asio::thread_pool callbacks{1};

  // Last, so destroyed first: its I/O thread has stopped before the callback thread is joined.
  pindeck::s3::Client client;
};

namespace {

using nlohmann::json;
using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::copy_out;
using pindeck::capi::require_arg;
using pindeck::capi::reset_out;
namespace s3 = pindeck::s3;

constexpr std::uint64_t kDefaultPartSize = 8ull << 20;
constexpr std::uint64_t kDefaultMultipartThreshold = 32ull << 20;

// ---- the host's JSON in -------------------------------------------------------------------------

// An object of settings or options from the host. Refuses keys it does not know and values of
// the wrong type, naming them (`what` says whose keys they are). A null value counts as absent.
class JsonOptions {
 public:
  JsonOptions(const char* text, std::string what, std::initializer_list<const char*> known)
      : what_(std::move(what)) {
    if (text == nullptr) return;
    try {
      object_ = json::parse(text);
    } catch (const json::parse_error& e) {
      // Not e.what(): it quotes the text near the error, which may be the secret key.
      throw Error(Errc::invalid,
                  what_ + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const json::exception&) {  // out_of_range, for a number such as 1e400
      throw Error(Errc::invalid, what_ + " holds a number out of range");
    }
    if (!object_.is_object()) throw Error(Errc::invalid, what_ + " must be a JSON object");
    for (const auto& item : object_.items()) {
      const std::string& key = item.key();
      if (std::find_if(known.begin(), known.end(), [&](const char* k) { return key == k; }) ==
          known.end()) {
        throw Error(Errc::invalid, what_ + ": unknown key \"" + key + "\"");
      }
    }
  }

  std::optional<std::string> string(const char* key) const {
    const json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) refuse(key, "must be a string");
    return value->get<std::string>();
  }

  // A whole number from `min` to `max`.
  std::optional<std::uint64_t> number(const char* key, std::uint64_t min, std::uint64_t max) const {
    const json* value = find(key);
    if (value == nullptr) return std::nullopt;
    const std::string range = " from " + std::to_string(min) + " to " + std::to_string(max);
    if (!value->is_number_unsigned() || value->get<std::uint64_t>() < min ||
        value->get<std::uint64_t>() > max) {
      refuse(key, "must be a whole number" + range + " (got " + value->dump() + ")");
    }
    return value->get<std::uint64_t>();
  }

  // A string that must be given and not empty.
  std::string required(const char* key) const {
    auto value = string(key);
    if (!value) refuse(key, "is required");
    if (value->empty()) refuse(key, "must not be empty");
    return *value;
  }

  // An object of strings ({"name": "value"}).
  std::map<std::string, std::string> strings(const char* key) const {
    std::map<std::string, std::string> out;
    const json* value = find(key);
    if (value == nullptr) return out;
    if (!value->is_object()) refuse(key, "must be an object of strings");
    for (const auto& [name, item] : value->items()) {
      if (!item.is_string()) refuse(key, "must be an object of strings (\"" + name + "\" is not)");
      out.emplace(name, item.get<std::string>());
    }
    return out;
  }

  [[noreturn]] void refuse(const char* key, const std::string& problem) const {
    throw Error(Errc::invalid, what_ + ": \"" + key + "\" " + problem);
  }

 private:
  const json* find(const char* key) const {
    if (!object_.is_object()) return nullptr;
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  std::string what_;
  json object_;
};

s3::Config client_config(const pindeck::S3Settings& settings, const std::string& bucket,
                         std::uint64_t part_size, std::uint64_t multipart_threshold) {
  s3::Config config = pindeck::pipeline::s3_config_for(settings, bucket);
  config.part_size = part_size;
  config.multipart_threshold = multipart_threshold;
  return config;
}

s3::Config config_from_json(const char* text) {
  const JsonOptions options(text, "S3 config",
                            {"endpoint", "region", "accessKey", "secretKey", "sessionToken",
                             "bucket", "caFile", "multipartThresholdBytes", "partSizeBytes"});
  pindeck::S3Settings settings;
  settings.endpoint = options.required("endpoint");
  settings.region = options.string("region").value_or(settings.region);
  if (settings.region.empty()) options.refuse("region", "must not be empty");
  settings.access_key = options.required("accessKey");
  settings.secret_key = options.required("secretKey");
  settings.session_token = options.string("sessionToken").value_or("");
  settings.ca_file = options.string("caFile").value_or("");
  std::string bucket = options.required("bucket");
  try {
    pindeck::model::validate_bucket_name(bucket);
  } catch (const Error& e) {
    options.refuse("bucket", std::string("is invalid: ") + e.what());
  }
  const std::uint64_t part_size =
      options.number("partSizeBytes", s3::kMinPartSize, s3::kMaxPartSize)
          .value_or(kDefaultPartSize);
  const std::uint64_t threshold = options.number("multipartThresholdBytes", part_size, UINT64_MAX)
                                      .value_or(std::max(kDefaultMultipartThreshold, part_size));
  return client_config(settings, bucket, part_size, threshold);
}

// The variables and their order are PersistenceConfig::from_env's, so the library has one reader
// of its environment.
s3::Config config_from_env() {
  pindeck::PersistenceConfig persistence = pindeck::PersistenceConfig::from_env();
  if (!persistence.s3) {
    throw Error(Errc::invalid,
                "S3 config from the environment: no endpoint (set PINDECK_S3_ENDPOINT, "
                "AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL)");
  }
  try {
    pindeck::model::validate_bucket_name(persistence.bucket);
  } catch (const Error& e) {
    throw Error(
        Errc::invalid,
        std::string("S3 config from the environment: PINDECK_S3_BUCKET is invalid: ") + e.what());
  }
  return client_config(*persistence.s3, persistence.bucket, kDefaultPartSize,
                       kDefaultMultipartThreshold);
}

s3::PutOptions put_options(const char* text) {
  const JsonOptions options(text, "put options", {"contentType", "cacheControl", "metadata"});
  s3::PutOptions put;
  put.content_type = options.string("contentType").value_or(put.content_type);
  put.cache_control = options.string("cacheControl").value_or("");
  put.metadata = options.strings("metadata");
  s3::validate_put_options(put);
  return put;
}

s3::ListOptions list_options(const char* text) {
  const JsonOptions options(text, "list options",
                            {"prefix", "delimiter", "startAfter", "maxKeys", "continuationToken"});
  s3::ListOptions list;
  list.prefix = options.string("prefix").value_or("");
  list.delimiter = options.string("delimiter").value_or("");
  list.start_after = options.string("startAfter").value_or("");
  list.continuation_token = options.string("continuationToken").value_or("");
  list.max_keys =
      static_cast<int>(options.number("maxKeys", 1, s3::kMaxKeysPerListPage).value_or(0));
  return list;
}

std::vector<std::string> keys_from(const char* text) {
  json keys;
  try {
    keys = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(Errc::invalid, std::string("keys_json is not valid JSON: ") + e.what());
  }
  if (!keys.is_array()) throw Error(Errc::invalid, "keys_json must be a JSON array of keys");
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i].is_string()) {
      throw Error(Errc::invalid, "keys_json[" + std::to_string(i) + "] is not a string");
    }
    try {
      s3::validate_key(keys[i].get<std::string>());
    } catch (const Error& e) {
      throw Error(Errc::invalid, "keys_json[" + std::to_string(i) + "]: " + e.what());
    }
    out.push_back(keys[i].get<std::string>());
  }
  return out;
}

// The key argument, checked as the client would check it, so a bad key is refused before an
// asynchronous call returns rather than through its callback.
std::string key_arg(const char* key) {
  require_arg(key, "key");
  s3::validate_key(key);
  return key;
}

// The file to upload, opened now: a missing file is PD_ERR_NOT_FOUND (from the open), and a
// FIFO or device is refused rather than blocking the open or streaming forever.
s3::BodySource file_body(const char* path) {
  require_arg(path, "path");
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(Errc::invalid, std::string("'") + path + "' is not a regular file");
  }
  return s3::BodySource::from_file(s3::File::open_for_reading(path));
}

s3::BodySource bytes_body(const void* data, size_t size) {
  if (size > 0) require_arg(data, "data");
  return s3::BodySource::from_buffer(std::make_shared<const std::string>(
      size > 0 ? std::string(static_cast<const char*>(data), size) : std::string()));
}

// ---- JSON out -----------------------------------------------------------------------------------

std::string without_quotes(const std::string& etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// HeadObject's Last-Modified (an HTTP date) in ISO 8601, as listings give it; as sent when it
// cannot be read.
std::string iso8601(const std::string& http_date) {
  const time_t when = curl_getdate(http_date.c_str(), nullptr);
  std::tm utc{};
  if (when == -1 || gmtime_r(&when, &utc) == nullptr) return http_date;
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string put_json(const std::string& key, const s3::PutResult& put) {
  return dump({{"key", key},
               {"etag", without_quotes(put.etag)},
               {"size", put.size},
               {"multipart", put.multipart},
               {"parts", put.parts}});
}

std::string head_json(const std::string& key, const s3::ObjectHead& head) {
  return dump({{"key", key},
               {"size", head.content_length},
               {"etag", without_quotes(head.etag)},
               {"contentType", head.content_type},
               {"cacheControl", head.cache_control},
               {"lastModified", iso8601(head.last_modified)},
               {"metadata", head.metadata}});
}

std::string delete_json(const s3::DeleteResult& result) {
  json errors = json::array();
  for (const auto& failure : result.failed) {
    errors.push_back({{"key", failure.key}, {"code", failure.code}, {"message", failure.message}});
  }
  return dump({{"deleted", result.deleted}, {"errors", errors}});
}

std::string list_json(const s3::ListPage& page) {
  json objects = json::array();
  for (const auto& object : page.objects) {
    objects.push_back({{"key", object.key},
                       {"size", object.size},
                       {"etag", without_quotes(object.etag)},
                       {"lastModified", object.last_modified}});
  }
  json next = nullptr;
  if (page.truncated && !page.next_continuation_token.empty()) next = page.next_continuation_token;
  return dump({{"objects", objects},
               {"commonPrefixes", page.common_prefixes},
               {"nextContinuationToken", next}});
}

// ---- calls and their errors ---------------------------------------------------------------------

// guard(), with S3's answer that there is no such object as PD_ERR_NOT_FOUND.
template <typename Body>
int run(Body&& body) noexcept {
  return pindeck::capi::guard([&] {
    try {
      body();
    } catch (const s3::S3Error& e) {
      if (e.http_status() == 404 && (e.s3_code() == "NoSuchKey" || e.s3_code() == "NotFound")) {
        throw Error(Errc::not_found, e.what());
      }
      throw;
    }
  });
}

pd_s3& live(pd_s3* s3) {
  require_arg(s3, "s3");
  return *s3;
}

void finished(pd_s3& s3) {
  std::lock_guard lock(s3.mutex);
  --s3.in_flight;
  s3.idle.notify_all();
}

// Starts an asynchronous operation: `start` gets the completion handler, which runs on the
// callback thread, hands the outcome to `deliver`, and then counts the call finished.
template <typename Start, typename Deliver>
void start_async(pd_s3& s3, Start start, Deliver deliver) {
  {
    std::lock_guard lock(s3.mutex);
    ++s3.in_flight;
  }
  try {
    start(boost::asio::bind_executor(
        s3.callbacks,
        [&s3, deliver = std::move(deliver)](std::exception_ptr error, auto&&... result) mutable {
          deliver(error, std::forward<decltype(result)>(result)...);
          finished(s3);
        }));
  } catch (...) {
    finished(s3);
    throw;
  }
}

// The delivery of an operation whose callback gets JSON: `to_json` turns its result into the
// JSON (nullptr for an operation without a result, whose callback gets NULL).
template <typename ToJson>
auto json_delivery(pd_json_callback callback, void* user, ToJson to_json) {
  return
      [callback, user, to_json = std::move(to_json)](std::exception_ptr error, auto&&... result) {
        std::optional<std::string> out;
        const int status = run([&] {
          if (error) std::rethrow_exception(error);
          if constexpr (sizeof...(result) > 0) out = to_json(result...);
        });
        if (status != PD_OK) {
          // Copied: the callback may call into the library, which resets pd_last_error().
          const std::string message = pd_last_error();
          callback(user, status, nullptr, message.c_str());
          return;
        }
        callback(user, PD_OK, out ? out->c_str() : nullptr, nullptr);
      };
}

template <typename Callback>
void require_callback(Callback callback) {
  require_arg(reinterpret_cast<const void*>(callback), "callback");
}

}  // namespace

extern "C" {

int pd_s3_open(const char* config_json, pd_s3** out) {
  return run([&] {
    reset_out(out, "out");
    *out = new pd_s3(config_json != nullptr ? config_from_json(config_json) : config_from_env());
  });
}

void pd_s3_close(pd_s3* s3) {
  if (s3 == nullptr) return;
  {
    std::unique_lock lock(s3->mutex);
    s3->idle.wait(lock, [s3] { return s3->in_flight == 0; });
  }
  delete s3;
}

int pd_s3_put_file(pd_s3* s3, const char* key, const char* path, const char* options_json,
                   char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    auto put = c.client.put_object(k, file_body(path), put_options(options_json));
    *out_json = copy_out(put_json(k, put));
  });
}

int pd_s3_put_bytes(pd_s3* s3, const char* key, const void* data, size_t size,
                    const char* options_json, char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    auto put = c.client.put_object(k, bytes_body(data, size), put_options(options_json));
    *out_json = copy_out(put_json(k, put));
  });
}

int pd_s3_get_file(pd_s3* s3, const char* key, const char* path, char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_arg(path, "path");
    *out_json = copy_out(head_json(k, c.client.get_object_to_file(k, path)));
  });
}

int pd_s3_get_bytes(pd_s3* s3, const char* key, unsigned char** out_data, size_t* out_size) {
  return run([&] {
    reset_out(out_data, "out_data");
    require_arg(out_size, "out_size");
    *out_size = 0;
    pd_s3& c = live(s3);
    const std::string body = c.client.get_object(key_arg(key)).body;
    // malloc(0) may give NULL: an empty object still gets memory, so success is never NULL.
    auto* copy = static_cast<unsigned char*>(std::malloc(body.empty() ? 1 : body.size()));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, body.data(), body.size());
    *out_data = copy;
    *out_size = body.size();
  });
}

int pd_s3_head(pd_s3* s3, const char* key, char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    *out_json = copy_out(head_json(k, c.client.head_object(k)));
  });
}

int pd_s3_delete(pd_s3* s3, const char* key) {
  return run([&] {
    pd_s3& c = live(s3);
    c.client.delete_object(key_arg(key));
  });
}

int pd_s3_delete_many(pd_s3* s3, const char* keys_json, char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    require_arg(keys_json, "keys_json");
    *out_json = copy_out(delete_json(c.client.delete_objects(keys_from(keys_json))));
  });
}

int pd_s3_list(pd_s3* s3, const char* options_json, char** out_json) {
  return run([&] {
    reset_out(out_json, "out_json");
    pd_s3& c = live(s3);
    *out_json = copy_out(list_json(c.client.list_objects(list_options(options_json))));
  });
}

int pd_s3_presign(pd_s3* s3, const char* method, const char* key, int64_t expires_seconds,
                  char** out_url) {
  return run([&] {
    reset_out(out_url, "out_url");
    pd_s3& c = live(s3);
    require_arg(method, "method");
    const std::string k = key_arg(key);
    if (expires_seconds < 1 || expires_seconds > s3::kMaxPresignLifetime.count()) {
      throw Error(Errc::invalid, "expires_seconds must be 1 to " +
                                     std::to_string(s3::kMaxPresignLifetime.count()) + " (got " +
                                     std::to_string(expires_seconds) + ")");
    }
    const std::chrono::seconds expires(expires_seconds);
    if (std::strcmp(method, "GET") == 0) {
      *out_url = copy_out(c.client.presign_get(k, expires));
    } else if (std::strcmp(method, "PUT") == 0) {
      *out_url = copy_out(c.client.presign_put(k, expires));
    } else {
      throw Error(Errc::invalid,
                  std::string("method must be \"GET\" or \"PUT\", not \"") + method + "\"");
    }
  });
}

int pd_s3_put_file_async(pd_s3* s3, const char* key, const char* path, const char* options_json,
                         pd_json_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_callback(callback);
    auto body = file_body(path);
    auto options = put_options(options_json);
    start_async(
        c,
        [&](auto handler) {
          c.client.async_put_object(k, std::move(body), std::move(options), std::move(handler));
        },
        json_delivery(callback, user, [k](const s3::PutResult& put) { return put_json(k, put); }));
  });
}

int pd_s3_put_bytes_async(pd_s3* s3, const char* key, const void* data, size_t size,
                          const char* options_json, pd_json_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_callback(callback);
    auto body = bytes_body(data, size);
    auto options = put_options(options_json);
    start_async(
        c,
        [&](auto handler) {
          c.client.async_put_object(k, std::move(body), std::move(options), std::move(handler));
        },
        json_delivery(callback, user, [k](const s3::PutResult& put) { return put_json(k, put); }));
  });
}

int pd_s3_get_file_async(pd_s3* s3, const char* key, const char* path, pd_json_callback callback,
                         void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_arg(path, "path");
    if (*path == '\0') throw Error(Errc::invalid, "path must not be empty");
    require_callback(callback);
    start_async(
        c, [&](auto handler) { c.client.async_get_object(k, path, {}, std::move(handler)); },
        json_delivery(callback, user,
                      [k](const s3::GetResult& got) { return head_json(k, got.info); }));
  });
}

int pd_s3_get_bytes_async(pd_s3* s3, const char* key, pd_bytes_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_callback(callback);
    start_async(
        c, [&](auto handler) { c.client.async_get_object(k, {}, {}, std::move(handler)); },
        [callback, user](std::exception_ptr error, s3::GetResult got) {
          const int status = run([&] {
            if (error) std::rethrow_exception(error);
          });
          if (status != PD_OK) {
            const std::string message = pd_last_error();
            callback(user, status, nullptr, 0, message.c_str());
            return;
          }
          callback(user, PD_OK, reinterpret_cast<const unsigned char*>(got.body.data()),
                   got.body.size(), nullptr);
        });
  });
}

int pd_s3_head_async(pd_s3* s3, const char* key, pd_json_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_callback(callback);
    start_async(
        c, [&](auto handler) { c.client.async_head_object(k, std::move(handler)); },
        json_delivery(callback, user,
                      [k](const s3::ObjectHead& head) { return head_json(k, head); }));
  });
}

int pd_s3_delete_async(pd_s3* s3, const char* key, pd_json_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    std::string k = key_arg(key);
    require_callback(callback);
    start_async(
        c, [&](auto handler) { c.client.async_delete_object(k, std::move(handler)); },
        json_delivery(callback, user, nullptr));
  });
}

int pd_s3_delete_many_async(pd_s3* s3, const char* keys_json, pd_json_callback callback,
                            void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    require_arg(keys_json, "keys_json");
    auto keys = keys_from(keys_json);
    require_callback(callback);
    start_async(
        c,
        [&](auto handler) { c.client.async_delete_objects(std::move(keys), std::move(handler)); },
        json_delivery(callback, user, delete_json));
  });
}

int pd_s3_list_async(pd_s3* s3, const char* options_json, pd_json_callback callback, void* user) {
  return run([&] {
    pd_s3& c = live(s3);
    auto options = list_options(options_json);
    require_callback(callback);
    start_async(
        c,
        [&](auto handler) { c.client.async_list_objects(std::move(options), std::move(handler)); },
        json_delivery(callback, user, list_json));
  });
}
}
