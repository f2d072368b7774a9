// The S3 client: object and bucket operations on one bucket of an S3-compatible store (RustFS in
// production), path-style, SigV4-signed, with retries.
//
// Every operation has an asynchronous form taking an Asio completion token (a callback, use_future,
// use_awaitable, ...) whose completion signature is void(std::exception_ptr, Result) or
// void(std::exception_ptr), and a blocking form that returns the result or throws. Failures are
// pindeck::Error: Errc::s3 (an s3::S3Error with S3's code, message, request id and HTTP status)
// when the store refused, Errc::network when it could not be reached, Errc::invalid for bad
// arguments, Errc::io for local files.
//
// The client runs its own I/O thread; completions run there unless the token says otherwise.
// Don't call a blocking form from inside a completion handler (it would wait for itself; it throws
// Errc::internal instead). The client is thread-safe.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "s3/body.hpp"
#include "s3/config.hpp"
#include "s3/error.hpp"
#include "s3/operations.hpp"
#include "s3/sigv4.hpp"

namespace pindeck::s3 {

class Transport;
struct HttpResponse;
struct TransferOutcome;

class Client {
 public:
  template <typename Result>
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, Result)>;
  using DoneHandler = boost::asio::any_completion_handler<void(std::exception_ptr)>;

  // Validates config (Errc::invalid names what is wrong) and starts the I/O thread.
  explicit Client(Config config);
  // Operations still in flight are abandoned; their handlers are not called (a use_future
  // future then reports a broken promise). Never destroy the client from its own completion
  // handler.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Config& config() const { return config_; }

  // ---- objects (in config().bucket) -----------------------------------------------------------

  // PutObject, or a multipart upload when body.size() >= config().multipart_threshold.
  template <typename Token>
  auto async_put_object(std::string key, BodySource body, PutOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, PutResult)>(
        [this](auto handler, std::string k, BodySource b, PutOptions o) {
          start_put_object(std::move(k), std::move(b), std::move(o),
                           Handler<PutResult>(std::move(handler)));
        },
        token, std::move(key), std::move(body), std::move(options));
  }
  PutResult put_object(std::string key, BodySource body, PutOptions options = {});
  // Reads the file as it is sent; it is never loaded whole.
  PutResult put_file(std::string key, const std::string& path, PutOptions options = {});
  PutResult put_buffer(std::string key, std::string data, PutOptions options = {});

  // GetObject into memory (`to_path` empty) or into a file. A file is written next to to_path
  // and renamed over it only when the whole body arrived, so a failure leaves to_path untouched.
  template <typename Token>
  auto async_get_object(std::string key, std::string to_path, GetOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, GetResult)>(
        [this](auto handler, std::string k, std::string p, GetOptions o) {
          start_get_object(std::move(k), std::move(p), std::move(o),
                           Handler<GetResult>(std::move(handler)));
        },
        token, std::move(key), std::move(to_path), std::move(options));
  }
  GetResult get_object(std::string key, GetOptions options = {});
  ObjectInfo get_object_to_file(std::string key, const std::string& path, GetOptions options = {});

  template <typename Token>
  auto async_head_object(std::string key, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, ObjectInfo)>(
        [this](auto handler, std::string k) {
          start_head_object(std::move(k), Handler<ObjectInfo>(std::move(handler)));
        },
        token, std::move(key));
  }
  ObjectInfo head_object(std::string key);

  // Deleting a key that does not exist succeeds (S3's rule).
  template <typename Token>
  auto async_delete_object(std::string key, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this](auto handler, std::string k) {
          start_delete_object(std::move(k), DoneHandler(std::move(handler)));
        },
        token, std::move(key));
  }
  void delete_object(std::string key);

  // DeleteObjects in batches of 1000 (with Content-MD5). Keys S3 could not delete are listed in
  // the result's `failed`, not thrown.
  template <typename Token>
  auto async_delete_objects(std::vector<std::string> keys, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, DeleteResult)>(
        [this](auto handler, std::vector<std::string> k) {
          start_delete_objects(std::move(k), Handler<DeleteResult>(std::move(handler)));
        },
        token, std::move(keys));
  }
  DeleteResult delete_objects(std::vector<std::string> keys);

  // One page of ListObjectsV2.
  template <typename Token>
  auto async_list_objects(ListOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, ListPage)>(
        [this](auto handler, ListOptions o) {
          start_list_objects(std::move(o), Handler<ListPage>(std::move(handler)));
        },
        token, std::move(options));
  }
  ListPage list_objects(ListOptions options = {});
  // Every page, following continuation tokens; objects and common prefixes of all pages.
  template <typename Token>
  auto async_list_all_objects(ListOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, ListPage)>(
        [this](auto handler, ListOptions o) {
          start_list_all_objects(std::move(o), Handler<ListPage>(std::move(handler)));
        },
        token, std::move(options));
  }
  ListPage list_all_objects(ListOptions options = {});

  // A URL anyone can GET the object with, without credentials, for `expires` (at most 7 days).
  std::string presign_get(const std::string& key, std::chrono::seconds expires) const;

  // ---- buckets ----------------------------------------------------------------------------------

  template <typename Token>
  auto async_create_bucket(std::string bucket, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this](auto handler, std::string b) {
          start_create_bucket(std::move(b), DoneHandler(std::move(handler)));
        },
        token, std::move(bucket));
  }
  void create_bucket(std::string bucket);

  // Succeeds when the bucket exists and is ours; S3Error with status 404 or 403 otherwise.
  template <typename Token>
  auto async_head_bucket(std::string bucket, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this](auto handler, std::string b) {
          start_head_bucket(std::move(b), DoneHandler(std::move(handler)));
        },
        token, std::move(bucket));
  }
  void head_bucket(std::string bucket);

 private:
  struct Call;
  struct MultipartUpload;
  struct DeleteBatches;
  struct ListAll;
  using CallDone = std::function<void(std::exception_ptr, HttpResponse)>;

  void start_put_object(std::string key, BodySource body, PutOptions options,
                        Handler<PutResult> handler);
  void start_get_object(std::string key, std::string to_path, GetOptions options,
                        Handler<GetResult> handler);
  void start_head_object(std::string key, Handler<ObjectInfo> handler);
  void start_delete_object(std::string key, DoneHandler handler);
  void start_delete_objects(std::vector<std::string> keys, Handler<DeleteResult> handler);
  void start_list_objects(ListOptions options, Handler<ListPage> handler);
  void start_list_all_objects(ListOptions options, Handler<ListPage> handler);
  void start_create_bucket(std::string bucket, DoneHandler handler);
  void start_head_bucket(std::string bucket, DoneHandler handler);

  // Sends a call with retries (on the I/O thread); `done` runs on the I/O thread.
  void send(std::shared_ptr<Call> call);
  void attempt(const std::shared_ptr<Call>& call);
  void on_attempt_done(const std::shared_ptr<Call>& call, TransferOutcome outcome);
  void retry_or_fail(const std::shared_ptr<Call>& call, std::exception_ptr error, bool retryable,
                     const std::string& why);

  void send_delete_batch(const std::shared_ptr<DeleteBatches>& state);
  void send_list_page(const std::shared_ptr<ListAll>& state);

  // Multipart uploads (multipart_upload.cpp).
  void start_multipart(std::shared_ptr<MultipartUpload> upload);
  void send_next_parts(const std::shared_ptr<MultipartUpload>& upload);
  void complete_multipart(const std::shared_ptr<MultipartUpload>& upload);
  void abort_multipart(const std::shared_ptr<MultipartUpload>& upload);
  void fetch_multipart_etag(const std::shared_ptr<MultipartUpload>& upload, PutResult result);

  std::shared_ptr<Call> make_call(const std::string& operation, std::string method,
                                  const std::string& bucket, const std::string& key) const;
  void log(LogLevel level, const std::string& line) const;
  void require_not_io_thread(const char* operation) const;

  Config config_;
  std::string scheme_;
  std::string host_;
  Signer signer_;
  std::mt19937_64 random_;  // backoff jitter; I/O thread only
  boost::asio::io_context io_;
  boost::asio::thread_pool hashers_;
  std::unique_ptr<Transport> transport_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
};

}  // namespace pindeck::s3
