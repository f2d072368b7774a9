#include "s3/client.hpp"

#include <cstdio>
#include <filesystem>

#include "model/storage_names.hpp"
#include "s3/client_internal.hpp"
#include "s3/retry.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

namespace asio = boost::asio;

// Bodies up to this size are hashed on the I/O thread; bigger ones on the hashing threads.
constexpr std::uint64_t kInlineHashLimit = 256u << 10;
constexpr std::size_t kDeleteBatch = 1000;

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid, message);
}

bool has_control_character(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// DESIGN §10: what RustFS accepts as a key.
void validate_key(const std::string& key) {
  if (key.empty()) invalid("S3 object key is empty");
  if (key.size() > 1024) {
    invalid("S3 object key is " + std::to_string(key.size()) + " bytes (at most 1024)");
  }
  if (key.front() == '/') invalid("S3 object key '" + key + "' starts with '/'");
  if (key.find('\0') != std::string::npos || has_control_character(key)) {
    invalid("S3 object key contains a control character");
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t end = key.find('/', start);
    std::string_view segment(key.data() + start,
                             (end == std::string::npos ? key.size() : end) - start);
    const bool last = end == std::string::npos || end + 1 == key.size();
    if (segment.empty() && !last) invalid("S3 object key '" + key + "' contains '//'");
    if (segment == "." || segment == "..") {
      invalid("S3 object key '" + key + "' has a '.' or '..' segment");
    }
    if (segment.size() > 255) {
      invalid("S3 object key '" + key + "' has a segment longer than 255 bytes");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

// An object operation needs a bucket in the configuration and a valid key.
void validate_object(const std::string& bucket, const std::string& key) {
  if (bucket.empty())
    invalid("no S3 bucket is configured (set Config::bucket or PINDECK_S3_BUCKET)");
  validate_key(key);
}

void validate_header_value(const std::string& what, const std::string& value) {
  if (has_control_character(value)) invalid(what + " contains a control character");
}

void validate_put_options(const PutOptions& options) {
  validate_header_value("Content-Type", options.content_type);
  validate_header_value("Cache-Control", options.cache_control);
  for (const auto& [name, value] : options.metadata) {
    bool ok = !name.empty();
    for (char c : name) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_');
    }
    if (!ok) invalid("metadata name '" + name + "' must be letters, digits, '-' and '_'");
    for (unsigned char c : value) {
      if (c < 0x20 || c >= 0x7f) {
        invalid("metadata '" + name + "' must be printable ASCII (S3 sends it in a header)");
      }
    }
  }
}

std::uint64_t to_u64(const std::string& text) {
  try {
    return text.empty() ? 0 : std::stoull(text);
  } catch (const std::exception&) {
    throw Error(Errc::s3, "S3 answer has Content-Length '" + text + "'");
  }
}

ObjectInfo object_info(const HttpResponse& response) {
  ObjectInfo info;
  info.content_length = to_u64(response.header("content-length"));
  info.etag = response.header("etag");
  info.content_type = response.header("content-type");
  info.cache_control = response.header("cache-control");
  info.content_range = response.header("content-range");
  info.last_modified = response.header("last-modified");
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with("x-amz-meta-")) info.metadata[name.substr(11)] = value;
  }
  return info;
}

// Runs on callers' threads, so it has its own generator per thread.
std::string temp_suffix() {
  thread_local std::mt19937_64 random(std::random_device{}());
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

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

// ---- lifecycle ---------------------------------------------------------------------------------

Client::Client(Config config)
    : config_((config.validate(), std::move(config))),
      scheme_(parse_endpoint(config_.endpoint).scheme),
      host_(parse_endpoint(config_.endpoint).host),
      signer_(config_.credentials, config_.region),
      random_(std::random_device{}()),
      hashers_(2) {
  if (!config_.bucket.empty()) model::validate_bucket_name(config_.bucket);
  transport_ = std::make_unique<Transport>(
      io_, TransportOptions{config_.verify_tls, config_.ca_file, config_.connect_timeout,
                            config_.low_speed_limit, config_.low_speed_time,
                            config_.attempt_timeout, config_.max_connections});
  work_.emplace(io_.get_executor());
  io_thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        log(LogLevel::error, std::string("a completion handler threw: ") + e.what());
      }
    }
  });
}

Client::~Client() {
  hashers_.stop();
  hashers_.join();
  asio::post(io_, [this] {
    transport_->shutdown();
    io_.stop();
  });
  io_thread_.join();
  transport_.reset();
}

void Client::log(LogLevel level, const std::string& line) const {
  if (config_.log) config_.log(level, line);
}

void Client::require_not_io_thread(const char* operation) const {
  if (std::this_thread::get_id() == io_thread_.get_id()) {
    throw Error(Errc::internal, std::string("blocking S3 ") + operation +
                                    " called from the client's own I/O thread (it would wait "
                                    "for itself): use the async form there");
  }
}

// ---- sending with retries ----------------------------------------------------------------------

std::shared_ptr<Client::Call> Client::make_call(const std::string& operation, std::string method,
                                                const std::string& bucket,
                                                const std::string& key) const {
  auto call = std::make_shared<Call>();
  call->operation = operation + " " + bucket + (key.empty() ? "" : "/" + key);
  call->method = std::move(method);
  call->path = "/" + bucket + (key.empty() ? "" : "/" + key);
  return call;
}

void Client::send(std::shared_ptr<Call> call) {
  call->started = std::chrono::steady_clock::now();
  if (!call->payload_hash.empty()) return attempt(call);
  if (call->body.size() <= kInlineHashLimit) {
    try {
      call->payload_hash = sha256_hex(call->body);
    } catch (...) {
      return call->done(std::current_exception(), {});
    }
    return attempt(call);
  }
  asio::post(hashers_, [this, call] {
    std::exception_ptr error;
    try {
      call->payload_hash = sha256_hex(call->body);
    } catch (...) {
      error = std::current_exception();
    }
    asio::post(io_, [this, call, error] {
      call->started = std::chrono::steady_clock::now();
      if (error) return call->done(error, {});
      attempt(call);
    });
  });
}

void Client::attempt(const std::shared_ptr<Call>& call) {
  ++call->attempts;
  Transfer transfer;
  transfer.request =
      HttpRequest{call->method, host_, call->path, call->query, call->headers, call->payload_hash};
  try {
    signer_.sign(transfer.request, std::chrono::system_clock::now());
    if (call->sink) call->sink->restart();
    transfer.url = Signer::url(transfer.request, scheme_);
    transfer.body = call->body;
    transfer.sink = call->sink;
    transfer.done = [this, call](TransferOutcome outcome) {
      on_attempt_done(call, std::move(outcome));
    };
    transport_->start(std::move(transfer));
  } catch (...) {
    call->done(std::current_exception(), {});
  }
}

void Client::on_attempt_done(const std::shared_ptr<Call>& call, TransferOutcome outcome) {
  if (outcome.local_error) return call->done(outcome.local_error, {});
  HttpResponse& response = outcome.response;
  const int status = static_cast<int>(response.status);
  if (outcome.curl_code != CURLE_OK) {
    const bool retryable = is_transient_network_error(outcome.curl_code) &&
                           (call->idempotent || failed_before_sending(outcome.curl_code));
    std::string why = outcome.curl_error + " (curl error " +
                      std::to_string(static_cast<int>(outcome.curl_code)) + ")";
    std::string message = "S3 " + call->operation + " failed: network error: " + why;
    if (call->attempts > 1) message += " after " + std::to_string(call->attempts) + " attempts";
    return retry_or_fail(call, std::make_exception_ptr(Error(Errc::network, message)), retryable,
                         why);
  }
  const bool success = status >= 200 && status < 300 &&
                       !(call->error_possible_in_200 && is_error_document(response.body));
  if (success) {
    log(LogLevel::debug, call->method + " " + call->operation + ": HTTP " + std::to_string(status) +
                             " after " + std::to_string(call->attempts) + " attempt(s)");
    return call->done(nullptr, std::move(response));
  }
  ErrorDetails details = parse_error(status, response.body, response.header("x-amz-request-id"));
  const bool retryable = is_transient_s3_error(status, details.code) &&
                         (call->idempotent || is_throttled(status, details.code));
  std::string why = "HTTP " + std::to_string(status) + " " + details.code;
  retry_or_fail(call, std::make_exception_ptr(S3Error(call->operation, details, call->attempts)),
                retryable, why);
}

void Client::retry_or_fail(const std::shared_ptr<Call>& call, std::exception_ptr error,
                           bool retryable, const std::string& why) {
  if (retryable && call->attempts < config_.retry.max_attempts) {
    const auto delay = backoff_delay(config_.retry, call->attempts, random_);
    const auto elapsed = std::chrono::steady_clock::now() - call->started;
    if (elapsed + delay < config_.retry.total_time) {
      log(LogLevel::warning, call->operation + ": attempt " + std::to_string(call->attempts) +
                                 " failed (" + why + "); retrying in " +
                                 std::to_string(delay.count()) + " ms");
      call->retry_timer.emplace(io_, delay);
      call->retry_timer->async_wait([this, call](const boost::system::error_code& ec) {
        if (!ec) attempt(call);
      });
      return;
    }
  }
  if (retryable) {
    log(LogLevel::error, call->operation + ": gave up after " + std::to_string(call->attempts) +
                             " attempt(s): " + why);
  } else {
    log(LogLevel::debug, call->operation + ": " + why + " (not retried)");
  }
  call->done(error, {});
}

// ---- objects -----------------------------------------------------------------------------------

void Client::start_put_object(std::string key, BodySource body, PutOptions options,
                              Handler<PutResult> handler) {
  try {
    validate_object(config_.bucket, key);
    validate_put_options(options);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), PutResult{});
  }
  if (body.size() >= config_.multipart_threshold) {
    auto upload = std::make_shared<MultipartUpload>();
    upload->key = std::move(key);
    upload->body = std::move(body);
    upload->options = std::move(options);
    upload->handler.swap(handler);  // not move-assignment: it recurses in Boost 1.81
    asio::post(io_, [this, upload] { start_multipart(upload); });
    return;
  }
  auto call = make_call("PutObject", "PUT", config_.bucket, key);
  call->headers = put_headers(options);
  call->body = std::move(body);
  auto h = share(std::move(handler));
  const std::uint64_t size = call->body.size();
  call->done = [this, h, size](std::exception_ptr error, HttpResponse response) {
    PutResult result;
    if (!error) result = {response.header("etag"), size, false, 1};
    complete(io_, std::move(*h), error, std::move(result));
  };
  asio::post(io_, [this, call] { send(call); });
}

PutResult Client::put_object(std::string key, BodySource body, PutOptions options) {
  require_not_io_thread("PutObject");
  return async_put_object(std::move(key), std::move(body), std::move(options), asio::use_future)
      .get();
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
  auto call = make_call("GetObject", "GET", config_.bucket, key);
  std::string temp_path;
  try {
    validate_object(config_.bucket, key);
    if (options.range) {
      const ByteRange& r = *options.range;
      if (r.last && *r.last < r.first) {
        invalid("byte range " + std::to_string(r.first) + "-" + std::to_string(*r.last) +
                " ends before it starts");
      }
      call->headers.emplace_back("Range", "bytes=" + std::to_string(r.first) + "-" +
                                              (r.last ? std::to_string(*r.last) : ""));
    }
    if (to_path.empty()) {
      call->sink = ResponseSink::to_buffer();
    } else {
      temp_path = to_path + ".part-" + temp_suffix();
      call->sink = ResponseSink::to_file(temp_path);
    }
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), GetResult{});
  }
  auto h = share(std::move(handler));
  call->done = [this, h, call_sink = call->sink, temp_path, to_path](std::exception_ptr error,
                                                                     HttpResponse response) {
    GetResult result;
    try {
      if (error) std::rethrow_exception(error);
      result.info = object_info(response);
      if (temp_path.empty()) {
        result.body = call_sink->take_buffer();
      } else {
        std::error_code ec;
        std::filesystem::rename(temp_path, to_path, ec);
        if (ec)
          throw Error(Errc::io,
                      "cannot move the downloaded object to '" + to_path + "': " + ec.message());
      }
    } catch (...) {
      error = std::current_exception();
      result = {};
    }
    if (error && !temp_path.empty()) {
      std::error_code ignored;
      std::filesystem::remove(temp_path, ignored);
    }
    complete(io_, std::move(*h), error, std::move(result));
  };
  asio::post(io_, [this, call] { send(call); });
}

GetResult Client::get_object(std::string key, GetOptions options) {
  require_not_io_thread("GetObject");
  return async_get_object(std::move(key), std::string(), std::move(options), asio::use_future)
      .get();
}

ObjectInfo Client::get_object_to_file(std::string key, const std::string& path,
                                      GetOptions options) {
  require_not_io_thread("GetObject");
  if (path.empty()) throw Error(Errc::invalid, "GetObject: the destination path is empty");
  return async_get_object(std::move(key), path, std::move(options), asio::use_future).get().info;
}

void Client::start_head_object(std::string key, Handler<ObjectInfo> handler) {
  try {
    validate_object(config_.bucket, key);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), ObjectInfo{});
  }
  auto call = make_call("HeadObject", "HEAD", config_.bucket, key);
  auto h = share(std::move(handler));
  call->done = [this, h](std::exception_ptr error, HttpResponse response) {
    ObjectInfo info;
    if (!error) {
      try {
        info = object_info(response);
      } catch (...) {
        error = std::current_exception();
      }
    }
    complete(io_, std::move(*h), error, std::move(info));
  };
  asio::post(io_, [this, call] { send(call); });
}

ObjectInfo Client::head_object(std::string key) {
  require_not_io_thread("HeadObject");
  return async_head_object(std::move(key), asio::use_future).get();
}

void Client::start_delete_object(std::string key, DoneHandler handler) {
  try {
    validate_object(config_.bucket, key);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception());
  }
  auto call = make_call("DeleteObject", "DELETE", config_.bucket, key);
  auto h = share(std::move(handler));
  call->done = [this, h](std::exception_ptr error, HttpResponse) {
    complete(io_, std::move(*h), error);
  };
  asio::post(io_, [this, call] { send(call); });
}

void Client::delete_object(std::string key) {
  require_not_io_thread("DeleteObject");
  async_delete_object(std::move(key), asio::use_future).get();
}

struct Client::DeleteBatches {
  std::vector<std::string> keys;
  std::size_t next = 0;
  DeleteResult result;
  Handler<DeleteResult> handler;
};

void Client::start_delete_objects(std::vector<std::string> keys, Handler<DeleteResult> handler) {
  try {
    for (const std::string& key : keys) validate_object(config_.bucket, key);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), DeleteResult{});
  }
  auto state = std::make_shared<DeleteBatches>();
  state->keys = std::move(keys);
  state->handler.swap(handler);  // not move-assignment: it recurses in Boost 1.81
  asio::post(io_, [this, state] { send_delete_batch(state); });
}

void Client::send_delete_batch(const std::shared_ptr<DeleteBatches>& state) {
  if (state->next >= state->keys.size()) {
    return complete(io_, std::move(state->handler), nullptr, std::move(state->result));
  }
  const std::size_t end = std::min(state->keys.size(), state->next + kDeleteBatch);
  std::vector<std::string> batch(state->keys.begin() + static_cast<std::ptrdiff_t>(state->next),
                                 state->keys.begin() + static_cast<std::ptrdiff_t>(end));
  state->next = end;
  auto call = make_call("DeleteObjects", "POST", config_.bucket, "");
  call->operation += " (" + std::to_string(batch.size()) + " keys)";
  call->query = {{"delete", ""}};
  std::string body = xml::delete_objects_body(batch);
  call->headers = {{"Content-Type", "application/xml"}, {"Content-MD5", md5_base64(body)}};
  call->body = BodySource::from_buffer(std::make_shared<const std::string>(std::move(body)));
  call->done = [this, state](std::exception_ptr error, HttpResponse response) {
    if (!error) {
      try {
        DeleteResult page = xml::parse_delete_result(response.body);
        for (auto& key : page.deleted) state->result.deleted.push_back(std::move(key));
        for (auto& failure : page.failed) state->result.failed.push_back(std::move(failure));
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) return complete(io_, std::move(state->handler), error, DeleteResult{});
    send_delete_batch(state);
  };
  send(call);
}

DeleteResult Client::delete_objects(std::vector<std::string> keys) {
  require_not_io_thread("DeleteObjects");
  return async_delete_objects(std::move(keys), asio::use_future).get();
}

namespace {

std::vector<std::pair<std::string, std::string>> list_query(const ListOptions& options) {
  std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}};
  if (!options.prefix.empty()) query.emplace_back("prefix", options.prefix);
  if (!options.delimiter.empty()) query.emplace_back("delimiter", options.delimiter);
  if (!options.start_after.empty()) query.emplace_back("start-after", options.start_after);
  if (!options.continuation_token.empty()) {
    query.emplace_back("continuation-token", options.continuation_token);
  }
  if (options.max_keys > 0) query.emplace_back("max-keys", std::to_string(options.max_keys));
  return query;
}

void validate_list_options(const ListOptions& options) {
  if (options.max_keys < 0 || options.max_keys > 1000) {
    invalid("ListObjectsV2 max_keys " + std::to_string(options.max_keys) + " is outside 0 to 1000");
  }
}

}  // namespace

void Client::start_list_objects(ListOptions options, Handler<ListPage> handler) {
  try {
    validate_list_options(options);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), ListPage{});
  }
  auto call = make_call("ListObjectsV2", "GET", config_.bucket, "");
  call->query = list_query(options);
  auto h = share(std::move(handler));
  call->done = [this, h](std::exception_ptr error, HttpResponse response) {
    ListPage page;
    if (!error) {
      try {
        page = xml::parse_list_page(response.body);
      } catch (...) {
        error = std::current_exception();
      }
    }
    complete(io_, std::move(*h), error, std::move(page));
  };
  asio::post(io_, [this, call] { send(call); });
}

ListPage Client::list_objects(ListOptions options) {
  require_not_io_thread("ListObjectsV2");
  return async_list_objects(std::move(options), asio::use_future).get();
}

struct Client::ListAll {
  ListOptions options;
  ListPage all;
  Handler<ListPage> handler;
};

void Client::start_list_all_objects(ListOptions options, Handler<ListPage> handler) {
  try {
    validate_list_options(options);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception(), ListPage{});
  }
  auto state = std::make_shared<ListAll>();
  state->options = std::move(options);
  state->handler.swap(handler);  // not move-assignment: it recurses in Boost 1.81
  asio::post(io_, [this, state] { send_list_page(state); });
}

void Client::send_list_page(const std::shared_ptr<ListAll>& state) {
  auto call = make_call("ListObjectsV2", "GET", config_.bucket, "");
  call->query = list_query(state->options);
  call->done = [this, state](std::exception_ptr error, HttpResponse response) {
    ListPage page;
    if (!error) {
      try {
        page = xml::parse_list_page(response.body);
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) return complete(io_, std::move(state->handler), error, ListPage{});
    for (auto& object : page.objects) state->all.objects.push_back(std::move(object));
    for (auto& prefix : page.common_prefixes)
      state->all.common_prefixes.push_back(std::move(prefix));
    if (!page.truncated)
      return complete(io_, std::move(state->handler), nullptr, std::move(state->all));
    state->options.continuation_token = page.next_continuation_token;
    send_list_page(state);
  };
  send(call);
}

ListPage Client::list_all_objects(ListOptions options) {
  require_not_io_thread("ListObjectsV2");
  return async_list_all_objects(std::move(options), asio::use_future).get();
}

std::string Client::presign_get(const std::string& key, std::chrono::seconds expires) const {
  validate_object(config_.bucket, key);
  if (expires.count() < 1 || expires.count() > 7 * 24 * 3600) {
    invalid("presigned URL lifetime " + std::to_string(expires.count()) +
            " s is outside 1 s to 7 days");
  }
  HttpRequest request{"GET", host_, "/" + config_.bucket + "/" + key, {}, {}, "UNSIGNED-PAYLOAD"};
  // A signer of its own: presigning runs on the caller's thread, signing on the I/O thread.
  Signer signer(config_.credentials, config_.region);
  return signer.presign(request, scheme_, expires, std::chrono::system_clock::now());
}

// ---- buckets -----------------------------------------------------------------------------------

void Client::start_create_bucket(std::string bucket, DoneHandler handler) {
  try {
    model::validate_bucket_name(bucket);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception());
  }
  auto call = make_call("CreateBucket", "PUT", bucket, "");
  std::string body = xml::create_bucket_body(config_.region);
  if (!body.empty()) call->headers = {{"Content-Type", "application/xml"}};
  call->body = BodySource::from_buffer(std::make_shared<const std::string>(std::move(body)));
  auto h = share(std::move(handler));
  call->done = [this, h](std::exception_ptr error, HttpResponse) {
    complete(io_, std::move(*h), error);
  };
  asio::post(io_, [this, call] { send(call); });
}

void Client::create_bucket(std::string bucket) {
  require_not_io_thread("CreateBucket");
  async_create_bucket(std::move(bucket), asio::use_future).get();
}

void Client::start_head_bucket(std::string bucket, DoneHandler handler) {
  try {
    model::validate_bucket_name(bucket);
  } catch (...) {
    return complete(io_, std::move(handler), std::current_exception());
  }
  auto call = make_call("HeadBucket", "HEAD", bucket, "");
  auto h = share(std::move(handler));
  call->done = [this, h](std::exception_ptr error, HttpResponse) {
    complete(io_, std::move(*h), error);
  };
  asio::post(io_, [this, call] { send(call); });
}

void Client::head_bucket(std::string bucket) {
  require_not_io_thread("HeadBucket");
  async_head_bucket(std::move(bucket), asio::use_future).get();
}

}  // namespace pindeck::s3
