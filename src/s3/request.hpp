// SPDX-License-Identifier: Apache-2.0
// The request engine: one logical S3 request, sent again on retries. Each attempt is signed afresh,
// sent on the transport, and its outcome classified (retry.hpp); transient failures wait a
// full-jitter backoff before the next attempt, while the retry policy's attempts and total time
// allow.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "s3/body.hpp"
#include "s3/config.hpp"
#include "s3/error.hpp"
#include "s3/sigv4.hpp"
#include "s3/transport.hpp"

namespace pindeck::s3 {

using RequestDone = std::function<void(std::exception_ptr, HttpResponse)>;

struct Request {
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
  // The 2xx response, or the error of the last attempt; runs on the I/O thread.
  RequestDone done;

  int attempts = 0;
  // The signing time of the last attempt, and whether the clock was corrected for this request
  // already (once per request, so a server with a wild clock cannot make it loop).
  std::chrono::system_clock::time_point signed_at;
  bool clock_corrected = false;
  std::chrono::steady_clock::time_point started;
  std::optional<boost::asio::steady_timer> retry_timer;
};

// send() runs on the I/O thread (io's); make(), presign() and log() on any thread.
class RequestEngine {
 public:
  // `config` is validated and outlives the engine.
  RequestEngine(boost::asio::io_context& io, const Config& config);
  RequestEngine(const RequestEngine&) = delete;
  RequestEngine& operator=(const RequestEngine&) = delete;

  boost::asio::io_context& io() { return io_; }

  // A request for the bucket, or for an object in it when `key` is not empty.
  static std::shared_ptr<Request> make(const std::string& operation, std::string method,
                                       const std::string& bucket, const std::string& key);
  void send(std::shared_ptr<Request> request);

  // A URL for an unsigned-payload `method` ("GET", "PUT") of `path` ("/bucket/key"), valid for
  // `expires`.
  std::string presign(std::string method, const std::string& path,
                      std::chrono::seconds expires) const;

  void log(LogLevel level, const std::string& line) const;

  // The time requests are signed with: the system clock plus the offset learnt from the server
  // (clock_skew.hpp).
  std::chrono::system_clock::time_point signing_time() const;
  std::chrono::milliseconds clock_offset() const;

  // Shutting down, in this order: stop_hashing() from the thread that owns the client (it waits
  // for a hash in progress), then close_transfers() on the I/O thread.
  void stop_hashing();
  void close_transfers();

 private:
  void attempt(const std::shared_ptr<Request>& request);
  void on_attempt_done(const std::shared_ptr<Request>& request, TransferOutcome outcome);
  void retry_or_fail(const std::shared_ptr<Request>& request, std::exception_ptr error,
                     bool retryable, const std::string& why);
  // When the answer refuses the request for its signing time: corrects the clock offset from
  // the answer's Date header and sends the request again at once; false otherwise.
  bool corrected_clock_skew(const std::shared_ptr<Request>& request, int status,
                            const ErrorDetails& details, const HttpResponse& response);

  boost::asio::io_context& io_;
  const Config& config_;
  std::string scheme_;
  std::string host_;
  Signer signer_;
  std::mt19937_64 random_;  // backoff jitter
  std::atomic<std::int64_t> clock_offset_ms_;
  boost::asio::thread_pool hashers_;
  Transport transport_;
};

}  // namespace pindeck::s3
