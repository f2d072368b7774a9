// SPDX-License-Identifier: Apache-2.0
// PutObject (multipart above the threshold), GetObject, HeadObject, DeleteObject and presigned GET
// and PUT URLs for objects in the configured bucket.
#include <cstdio>
#include <filesystem>
#include <random>

#include "s3/client_internal.hpp"
#include "s3/multipart_upload.hpp"
#include "s3/validation.hpp"

namespace pindeck::s3 {
namespace {

std::uint64_t to_u64(const std::string& text) {
  try {
    return text.empty() ? 0 : std::stoull(text);
  } catch (const std::exception&) {
    throw Error(Errc::s3, "S3 answer has Content-Length '" + text + "'");
  }
}

ObjectHead object_head(const HttpResponse& response) {
  ObjectHead head;
  head.content_length = to_u64(response.header("content-length"));
  head.etag = response.header("etag");
  head.content_type = response.header("content-type");
  head.cache_control = response.header("cache-control");
  head.content_range = response.header("content-range");
  head.last_modified = response.header("last-modified");
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with("x-amz-meta-")) head.metadata[name.substr(11)] = value;
  }
  return head;
}

// Runs on callers' threads, so it has its own generator per thread.
std::string temp_suffix() {
  thread_local std::mt19937_64 random(std::random_device{}());
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

// Where a GetObject's body goes: memory (to_path empty), or temp_path next to to_path, renamed
// over it when the whole body has arrived.
struct Download {
  std::string to_path;
  std::string temp_path;
  std::shared_ptr<ResponseSink> sink;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> put_headers(const PutOptions& options) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Content-Type", options.content_type.empty() ? "application/octet-stream"
                                                                    : options.content_type);
  if (!options.cache_control.empty()) headers.emplace_back("Cache-Control", options.cache_control);
  for (const auto& [name, value] : options.metadata)
    headers.emplace_back("x-amz-meta-" + name, value);
  return headers;
}

void Client::start_put_object(std::string key, BodySource body, PutOptions options,
                              Handler<PutResult> handler) {
  try {
    validate_object(config_.bucket, key);
    validate_put_options(options);
  } catch (...) {
    return fail<PutResult>(io_, std::move(handler), std::current_exception());
  }
  if (body.size() >= config_.multipart_threshold) {
    return start_multipart_upload(*engine_, config_, std::move(key), std::move(body),
                                  std::move(options), std::move(handler));
  }
  const std::uint64_t size = body.size();
  start_one_request<PutResult>(
      *engine_, std::move(handler),
      [&] {
        auto request = RequestEngine::make("PutObject", "PUT", config_.bucket, key);
        request->headers = put_headers(options);
        request->body = std::move(body);
        return request;
      },
      [size](const HttpResponse& response) {
        return PutResult{response.header("etag"), size, false, 1};
      });
}

PutResult Client::put_object(std::string key, BodySource body, PutOptions options) {
  return run_blocking<PutResult>("PutObject", &Client::start_put_object, std::move(key),
                                 std::move(body), std::move(options));
}

PutResult Client::put_file(std::string key, const std::string& path, PutOptions options) {
  return put_object(std::move(key), BodySource::from_file(File::open_for_reading(path)),
                    std::move(options));
}

PutResult Client::put_buffer(std::string key, std::string data, PutOptions options) {
  return put_object(std::move(key),
                    BodySource::from_buffer(std::make_shared<const std::string>(std::move(data))),
                    std::move(options));
}

void Client::start_get_object(std::string key, std::string to_path, GetOptions options,
                              Handler<GetResult> handler) {
  auto download = std::make_shared<Download>();
  download->to_path = std::move(to_path);
  start_one_request<GetResult>(
      *engine_, std::move(handler),
      [&] {
        validate_object(config_.bucket, key);
        auto request = RequestEngine::make("GetObject", "GET", config_.bucket, key);
        if (options.range) {
          const ByteRange& r = *options.range;
          validate_byte_range(r);
          request->headers.emplace_back("Range", "bytes=" + std::to_string(r.first) + "-" +
                                                     (r.last ? std::to_string(*r.last) : ""));
        }
        if (download->to_path.empty()) {
          download->sink = ResponseSink::to_buffer();
        } else {
          download->temp_path = download->to_path + ".part-" + temp_suffix();
          download->sink = ResponseSink::to_file(download->temp_path);
        }
        request->sink = download->sink;
        return request;
      },
      [download](const HttpResponse& response) {
        GetResult result;
        result.info = object_head(response);
        if (download->temp_path.empty()) {
          result.body = download->sink->take_buffer();
        } else {
          std::error_code ec;
          std::filesystem::rename(download->temp_path, download->to_path, ec);
          if (ec) {
            throw Error(Errc::io, "cannot move the downloaded object to '" + download->to_path +
                                      "': " + ec.message());
          }
        }
        return result;
      },
      [download] {
        if (download->temp_path.empty()) return;
        std::error_code ignored;
        std::filesystem::remove(download->temp_path, ignored);
      });
}

GetResult Client::get_object(std::string key, GetOptions options) {
  return run_blocking<GetResult>("GetObject", &Client::start_get_object, std::move(key),
                                 std::string(), std::move(options));
}

ObjectHead Client::get_object_to_file(std::string key, const std::string& path,
                                      GetOptions options) {
  require_not_io_thread("GetObject");
  if (path.empty()) throw Error(Errc::invalid, "GetObject: the destination path is empty");
  return run_blocking<GetResult>("GetObject", &Client::start_get_object, std::move(key), path,
                                 std::move(options))
      .info;
}

void Client::start_head_object(std::string key, Handler<ObjectHead> handler) {
  start_one_request<ObjectHead>(
      *engine_, std::move(handler),
      [&] {
        validate_object(config_.bucket, key);
        return RequestEngine::make("HeadObject", "HEAD", config_.bucket, key);
      },
      object_head);
}

ObjectHead Client::head_object(std::string key) {
  return run_blocking<ObjectHead>("HeadObject", &Client::start_head_object, std::move(key));
}

void Client::start_delete_object(std::string key, Handler<void> handler) {
  start_one_request<void>(
      *engine_, std::move(handler),
      [&] {
        validate_object(config_.bucket, key);
        return RequestEngine::make("DeleteObject", "DELETE", config_.bucket, key);
      },
      read_nothing);
}

void Client::delete_object(std::string key) {
  run_blocking<void>("DeleteObject", &Client::start_delete_object, std::move(key));
}

std::string Client::presign_get(const std::string& key, std::chrono::seconds expires) const {
  validate_object(config_.bucket, key);
  validate_presign_lifetime(expires);
  return engine_->presign("GET", "/" + config_.bucket + "/" + key, expires);
}

std::string Client::presign_put(const std::string& key, std::chrono::seconds expires) const {
  validate_object(config_.bucket, key);
  validate_presign_lifetime(expires);
  return engine_->presign("PUT", "/" + config_.bucket + "/" + key, expires);
}

}  // namespace pindeck::s3
