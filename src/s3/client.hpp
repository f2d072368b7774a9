// SPDX-License-Identifier: Apache-2.0
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

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "s3/body.hpp"
#include "s3/completion.hpp"
#include "s3/config.hpp"
#include "s3/error.hpp"
#include "s3/operations.hpp"

namespace pindeck::s3 {

class RequestEngine;

class Client {
 public:
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
    return detail::initiate<PutResult>(this, &Client::start_put_object, std::forward<Token>(token),
                                       std::move(key), std::move(body), std::move(options));
  }
  PutResult put_object(std::string key, BodySource body, PutOptions options = {});
  // Reads the file as it is sent; it is never loaded whole.
  PutResult put_file(std::string key, const std::string& path, PutOptions options = {});
  PutResult put_buffer(std::string key, std::string data, PutOptions options = {});

  // GetObject into memory (`to_path` empty) or into a file. A file is written next to to_path
  // and renamed over it only when the whole body arrived, so a failure leaves to_path untouched.
  template <typename Token>
  auto async_get_object(std::string key, std::string to_path, GetOptions options, Token&& token) {
    return detail::initiate<GetResult>(this, &Client::start_get_object, std::forward<Token>(token),
                                       std::move(key), std::move(to_path), std::move(options));
  }
  GetResult get_object(std::string key, GetOptions options = {});
  ObjectHead get_object_to_file(std::string key, const std::string& path, GetOptions options = {});

  template <typename Token>
  auto async_head_object(std::string key, Token&& token) {
    return detail::initiate<ObjectHead>(this, &Client::start_head_object,
                                        std::forward<Token>(token), std::move(key));
  }
  ObjectHead head_object(std::string key);

  // Deleting a key that does not exist succeeds (S3's rule).
  template <typename Token>
  auto async_delete_object(std::string key, Token&& token) {
    return detail::initiate<void>(this, &Client::start_delete_object, std::forward<Token>(token),
                                  std::move(key));
  }
  void delete_object(std::string key);

  // DeleteObjects in batches of 1000 (with Content-MD5). Keys S3 could not delete are listed in
  // the result's `failed`, not thrown.
  template <typename Token>
  auto async_delete_objects(std::vector<std::string> keys, Token&& token) {
    return detail::initiate<DeleteResult>(this, &Client::start_delete_objects,
                                          std::forward<Token>(token), std::move(keys));
  }
  DeleteResult delete_objects(std::vector<std::string> keys);

  // One page of ListObjectsV2.
  template <typename Token>
  auto async_list_objects(ListOptions options, Token&& token) {
    return detail::initiate<ListPage>(this, &Client::start_list_objects, std::forward<Token>(token),
                                      std::move(options));
  }
  ListPage list_objects(ListOptions options = {});
  // Every page, following continuation tokens; objects and common prefixes of all pages.
  template <typename Token>
  auto async_list_all_objects(ListOptions options, Token&& token) {
    return detail::initiate<ListPage>(this, &Client::start_list_all_objects,
                                      std::forward<Token>(token), std::move(options));
  }
  ListPage list_all_objects(ListOptions options = {});

  // A URL anyone can GET the object with, without credentials, for `expires` (at most 7 days).
  std::string presign_get(const std::string& key, std::chrono::seconds expires) const;
  // A URL anyone can PUT the object's bytes to (one request, no multipart), without credentials,
  // for `expires` (at most 7 days). Only the host is signed: the uploader's Content-Type is
  // stored as sent.
  std::string presign_put(const std::string& key, std::chrono::seconds expires) const;

  // ---- buckets ----------------------------------------------------------------------------------

  template <typename Token>
  auto async_create_bucket(std::string bucket, Token&& token) {
    return detail::initiate<void>(this, &Client::start_create_bucket, std::forward<Token>(token),
                                  std::move(bucket));
  }
  void create_bucket(std::string bucket);

  // Succeeds when the bucket exists and is ours; S3Error with status 404 or 403 otherwise.
  template <typename Token>
  auto async_head_bucket(std::string bucket, Token&& token) {
    return detail::initiate<void>(this, &Client::start_head_bucket, std::forward<Token>(token),
                                  std::move(bucket));
  }
  void head_bucket(std::string bucket);

 private:
  // Each starts its operation from any thread; the handler runs once, never inline.
  void start_put_object(std::string key, BodySource body, PutOptions options,
                        Handler<PutResult> handler);
  void start_get_object(std::string key, std::string to_path, GetOptions options,
                        Handler<GetResult> handler);
  void start_head_object(std::string key, Handler<ObjectHead> handler);
  void start_delete_object(std::string key, Handler<void> handler);
  void start_delete_objects(std::vector<std::string> keys, Handler<DeleteResult> handler);
  void start_list_objects(ListOptions options, Handler<ListPage> handler);
  void start_list_all_objects(ListOptions options, Handler<ListPage> handler);
  void start_create_bucket(std::string bucket, Handler<void> handler);
  void start_head_bucket(std::string bucket, Handler<void> handler);

  // The blocking form of every operation (client_internal.hpp).
  template <typename Result, typename Start, typename... Args>
  Result run_blocking(const char* operation, Start start, Args&&... args);
  void require_not_io_thread(const char* operation) const;

  Config config_;
  boost::asio::io_context io_;
  std::unique_ptr<RequestEngine> engine_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
};

}  // namespace pindeck::s3
