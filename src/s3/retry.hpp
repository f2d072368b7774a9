// SPDX-License-Identifier: Apache-2.0
// Which failures are worth another attempt, and how long to wait before it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <random>
#include <string_view>

#include "s3/config.hpp"

namespace pindeck::s3 {

// Network failures that may heal: refused or timed-out connections, resets, stalls, empty replies.
bool is_transient_network_error(CURLcode code);
// Failures that happen before any byte of the request reached the server, so even a request that
// is not idempotent can be sent again.
bool failed_before_sending(CURLcode code);
// 408, 429, 500, 502, 503, 504, and S3 codes such as RequestTimeout or SlowDown (which some
// servers send with a plain 400).
bool is_transient_s3_error(int http_status, std::string_view s3_code);
// The server said it did not process the request (throttling), so even a request that is not
// idempotent can be sent again.
bool is_throttled(int http_status, std::string_view s3_code);

// Full jitter: uniform in [0, min(max_delay, base_delay * 2^(attempt-1))] for the retry after
// attempt number `attempt` (1 = after the first attempt).
std::chrono::milliseconds backoff_delay(const RequestRetryPolicy& policy, int attempt,
                                        std::mt19937_64& random);

}  // namespace pindeck::s3
