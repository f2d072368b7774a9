// What client.cpp and multipart_upload.cpp share: one logical request (sent again on retries)
// and how results reach the caller's completion handler.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3/client.hpp"
#include "s3/transport.hpp"

namespace pindeck::s3 {

struct Client::Call {
  std::string operation;  // "PutObject bucket/key", for messages and logs
  std::string method;
  std::string path;  // raw: "/bucket/key"
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  BodySource body;
  std::string payload_hash;  // computed once, before the first attempt
  std::shared_ptr<ResponseSink> sink;
  // Not idempotent: retried only when the server cannot have acted on it (see retry.hpp).
  bool idempotent = true;
  // CompleteMultipartUpload can answer 200 with an <Error> document.
  bool error_possible_in_200 = false;
  CallDone done;

  int attempts = 0;
  std::chrono::steady_clock::time_point started;
  std::optional<boost::asio::steady_timer> retry_timer;
};

// One multipart upload in progress (multipart_upload.cpp); touched only on the I/O thread.
struct Client::MultipartUpload {
  std::string key;
  BodySource body;
  PutOptions options;
  Handler<PutResult> handler;

  std::uint64_t part_size = 0;
  int part_count = 0;
  std::string upload_id;
  std::vector<std::string> etags;  // etags[i] for part i + 1
  int next_part = 1;
  int in_flight = 0;
  int uploaded = 0;
  std::exception_ptr first_error;
};

// Hands a result to the caller's handler through its associated executor (never inline, so a
// handler never runs inside our own call stack).
template <typename Handler, typename... Args>
void complete(boost::asio::io_context& io, Handler&& handler, Args&&... args) {
  boost::asio::post(
      io, boost::asio::append(std::forward<Handler>(handler), std::forward<Args>(args)...));
}

// The handler is move-only; CallDone callbacks must be copyable, so they share it.
template <typename Handler>
std::shared_ptr<Handler> share(Handler&& handler) {
  return std::make_shared<Handler>(std::forward<Handler>(handler));
}

// Content-Type, Cache-Control and x-amz-meta-* of a PutObject or CreateMultipartUpload.
std::vector<std::pair<std::string, std::string>> put_headers(const PutOptions& options);

}  // namespace pindeck::s3
