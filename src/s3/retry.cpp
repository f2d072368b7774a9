// SPDX-License-Identifier: Apache-2.0
#include "s3/retry.hpp"

#include <algorithm>

namespace pindeck::s3 {

bool is_transient_network_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
  }
}

bool failed_before_sending(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT;
}

bool is_transient_s3_error(int http_status, std::string_view s3_code) {
  switch (http_status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return true;
    default:
      return s3_code == "RequestTimeout" || s3_code == "SlowDown" || s3_code == "InternalError" ||
             s3_code == "ServiceUnavailable";
  }
}

bool is_throttled(int http_status, std::string_view s3_code) {
  return http_status == 429 || s3_code == "SlowDown";
}

std::chrono::milliseconds backoff_delay(const RequestRetryPolicy& policy, int attempt,
                                        std::mt19937_64& random) {
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const long long base = policy.base_delay.count();
  const long long cap = policy.max_delay.count();
  const long long ceiling = base > (cap >> doublings) ? cap : std::min(cap, base << doublings);
  std::uniform_int_distribution<long long> pick(0, std::max(0LL, ceiling));
  return std::chrono::milliseconds(pick(random));
}

}  // namespace pindeck::s3
