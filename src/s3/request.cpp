// SPDX-License-Identifier: Apache-2.0
#include "s3/request.hpp"

#include <boost/asio/post.hpp>

#include "s3/clock_skew.hpp"
#include "s3/error.hpp"
#include "s3/retry.hpp"

namespace pindeck::s3 {
namespace {

namespace asio = boost::asio;

// Bodies up to this size are hashed on the I/O thread; bigger ones on the hashing threads.
constexpr std::uint64_t kInlineHashLimit = 256u << 10;
constexpr int kHashingThreads = 2;

}  // namespace

RequestEngine::RequestEngine(boost::asio::io_context& io, const Config& config)
    : io_(io),
      config_(config),
      scheme_(parse_endpoint(config.endpoint).scheme),
      host_(parse_endpoint(config.endpoint).host),
      signer_(config.credentials, config.region),
      random_(std::random_device{}()),
      clock_offset_ms_(config.initial_clock_offset.count()),
      hashers_(kHashingThreads),
      transport_(io, TransportOptions{config.verify_tls, config.ca_file, config.connect_timeout,
                                      config.low_speed_limit, config.low_speed_time,
                                      config.attempt_timeout, config.max_connections}) {}

std::shared_ptr<Request> RequestEngine::make(const std::string& operation, std::string method,
                                             const std::string& bucket, const std::string& key) {
  auto request = std::make_shared<Request>();
  request->operation = operation + " " + bucket + (key.empty() ? "" : "/" + key);
  request->method = std::move(method);
  request->path = "/" + bucket + (key.empty() ? "" : "/" + key);
  return request;
}

std::string RequestEngine::presign(std::string method, const std::string& path,
                                   std::chrono::seconds expires) const {
  HttpRequest request{std::move(method), host_, path, {}, {}, "UNSIGNED-PAYLOAD"};
  // A signer of its own: presigning runs on the caller's thread, signing on the I/O thread.
  Signer signer(config_.credentials, config_.region);
  return signer.presign(request, scheme_, expires, signing_time());
}

std::chrono::milliseconds RequestEngine::clock_offset() const {
  return std::chrono::milliseconds(clock_offset_ms_.load());
}

std::chrono::system_clock::time_point RequestEngine::signing_time() const {
  return std::chrono::system_clock::now() + clock_offset();
}

void RequestEngine::log(LogLevel level, const std::string& line) const {
  if (config_.log) config_.log(level, line);
}

void RequestEngine::stop_hashing() {
  hashers_.stop();
  hashers_.join();
}

void RequestEngine::close_transfers() {
  transport_.shutdown();
}

void RequestEngine::send(std::shared_ptr<Request> request) {
  request->started = std::chrono::steady_clock::now();
  if (!request->payload_hash.empty()) return attempt(request);
  if (request->body.size() <= kInlineHashLimit) {
    try {
      request->payload_hash = sha256_hex(request->body);
    } catch (...) {
      return request->done(std::current_exception(), {});
    }
    return attempt(request);
  }
  asio::post(hashers_, [this, request] {
    std::exception_ptr error;
    try {
      request->payload_hash = sha256_hex(request->body);
    } catch (...) {
      error = std::current_exception();
    }
    asio::post(io_, [this, request, error] {
      request->started = std::chrono::steady_clock::now();
      if (error) return request->done(error, {});
      attempt(request);
    });
  });
}

void RequestEngine::attempt(const std::shared_ptr<Request>& request) {
  ++request->attempts;
  Transfer transfer;
  transfer.request =
      HttpRequest{request->method,      host_, request->path, request->query, request->headers,
                  request->payload_hash};
  try {
    request->signed_at = signing_time();
    signer_.sign(transfer.request, request->signed_at);
    if (request->sink) request->sink->restart();
    transfer.url = Signer::url(transfer.request, scheme_);
    transfer.body = request->body;
    transfer.sink = request->sink;
    transfer.done = [this, request](TransferOutcome outcome) {
      on_attempt_done(request, std::move(outcome));
    };
    transport_.start(std::move(transfer));
  } catch (...) {
    request->done(std::current_exception(), {});
  }
}

void RequestEngine::on_attempt_done(const std::shared_ptr<Request>& request,
                                    TransferOutcome outcome) {
  if (outcome.local_error) return request->done(outcome.local_error, {});
  HttpResponse& response = outcome.response;
  const int status = static_cast<int>(response.status);
  if (outcome.curl_code != CURLE_OK) {
    const bool retryable = is_transient_network_error(outcome.curl_code) &&
                           (request->idempotent || failed_before_sending(outcome.curl_code));
    std::string why = outcome.curl_error + " (curl error " +
                      std::to_string(static_cast<int>(outcome.curl_code)) + ")";
    std::string message = "S3 " + request->operation + " failed: network error: " + why;
    if (request->attempts > 1) {
      message += " after " + std::to_string(request->attempts) + " attempts";
    }
    return retry_or_fail(request, std::make_exception_ptr(Error(Errc::network, message)), retryable,
                         why);
  }
  const bool success = status >= 200 && status < 300 &&
                       !(request->error_possible_in_200 && is_error_document(response.body));
  if (success) {
    log(LogLevel::debug, request->method + " " + request->operation + ": HTTP " +
                             std::to_string(status) + " after " +
                             std::to_string(request->attempts) + " attempt(s)");
    return request->done(nullptr, std::move(response));
  }
  ErrorDetails details = parse_error(status, response.body, response.header("x-amz-request-id"));
  if (corrected_clock_skew(request, status, details, response)) return;
  const bool retryable = is_transient_s3_error(status, details.code) &&
                         (request->idempotent || is_throttled(status, details.code));
  std::string why = "HTTP " + std::to_string(status) + " " + details.code;
  retry_or_fail(request,
                std::make_exception_ptr(S3Error(request->operation, details, request->attempts)),
                retryable, why);
}

bool RequestEngine::corrected_clock_skew(const std::shared_ptr<Request>& request, int status,
                                         const ErrorDetails& details,
                                         const HttpResponse& response) {
  if (request->clock_corrected) return false;
  const auto server_time = parse_http_date(response.header("date"));
  if (!server_time ||
      !is_clock_skew_refusal(status, details.code, request->signed_at, *server_time)) {
    return false;
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  // The Date header has whole seconds: half a second more is the closest guess on average.
  const auto offset = duration_cast<milliseconds>(*server_time - std::chrono::system_clock::now()) +
                      milliseconds(500);
  clock_offset_ms_.store(offset.count());
  request->clock_corrected = true;
  log(LogLevel::warning, request->operation + ": refused for clock skew (HTTP " +
                             std::to_string(status) + " " + details.code +
                             "); the server's clock is " + std::to_string(offset.count() / 1000) +
                             " s from this machine's: signing with the server's time from now on");
  attempt(request);
  return true;
}

void RequestEngine::retry_or_fail(const std::shared_ptr<Request>& request, std::exception_ptr error,
                                  bool retryable, const std::string& why) {
  const RequestRetryPolicy& policy = config_.retry;
  if (retryable && request->attempts < policy.max_attempts) {
    const auto delay = backoff_delay(policy, request->attempts, random_);
    const auto elapsed = std::chrono::steady_clock::now() - request->started;
    if (elapsed + delay < policy.total_time) {
      log(LogLevel::warning, request->operation + ": attempt " + std::to_string(request->attempts) +
                                 " failed (" + why + "); retrying in " +
                                 std::to_string(delay.count()) + " ms");
      request->retry_timer.emplace(io_, delay);
      request->retry_timer->async_wait([this, request](const boost::system::error_code& ec) {
        if (!ec) attempt(request);
      });
      return;
    }
  }
  if (retryable) {
    log(LogLevel::error, request->operation + ": gave up after " +
                             std::to_string(request->attempts) + " attempt(s): " + why);
  } else {
    log(LogLevel::debug, request->operation + ": " + why + " (not retried)");
  }
  request->done(error, {});
}

}  // namespace pindeck::s3
