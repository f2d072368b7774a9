// SPDX-License-Identifier: Apache-2.0
// Everything the S3 client needs to know about where and how to talk to the object store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "s3/sigv4.hpp"

namespace pindeck::s3 {

enum class LogLevel { debug, info, warning, error };

// Receives the client's log lines (retries, failures, timings). They never contain a secret key,
// a signature, a session token or a presigned URL.
using LogSink = std::function<void(LogLevel, std::string_view)>;

// Exponential backoff with full jitter: attempt n (n >= 1) waits a uniformly random time in
// [0, min(max_delay, base_delay * 2^(n-1))] before trying again.
struct RequestRetryPolicy {
  int max_attempts = 5;  // counting the first one; 1 disables retries
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};
  // No retry starts after this much time has passed since the request's first attempt, so a
  // request gives up within total_time plus one attempt's own timeouts.
  std::chrono::milliseconds total_time{120000};
};

struct Config {
  std::string endpoint = "http://127.0.0.1:9000";  // scheme://host[:port], path-style addressing
  std::string region = "us-east-1";
  Credentials credentials;
  std::string bucket;

  bool verify_tls = true;  // peer certificate and host name
  std::string ca_file;     // PEM bundle to trust instead of the system's; empty = system's

  std::chrono::milliseconds connect_timeout{10000};
  // A transfer that moves no byte for low_speed_time, or that stays slower than low_speed_limit
  // bytes/s (averaged by curl over 5 s) for low_speed_time, is a stalled connection: it fails
  // with Errc::network and is retried. 0 for either disables both checks.
  long low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{30};
  // Bound on one attempt from start to end; 0 = none (large objects may legitimately take long).
  std::chrono::milliseconds attempt_timeout{0};

  // Objects at least this big go up as multipart uploads of part_size parts (S3's minimum part
  // size is 5 MiB), at most max_parallel_parts at a time.
  std::uint64_t multipart_threshold = 32ull << 20;
  std::uint64_t part_size = 8ull << 20;
  int max_parallel_parts = 4;
  // Connections open at once (kept alive and reused); more requests than this wait their turn.
  int max_connections = 16;

  RequestRetryPolicy retry;
  LogSink log;  // may be empty

  // Internal, for tests of clock skew (the system clock cannot be moved): the client signs with
  // the system time plus this offset until a server refuses it for skew, when the offset is
  // corrected from the server's Date header (clock_skew.hpp). Never set by the library itself.
  std::chrono::milliseconds initial_clock_offset{0};

  // Throws pindeck::Error(Errc::invalid) naming the first setting that cannot work.
  void validate() const;

  // A readable summary for logs; the secret key and the session token are redacted.
  std::string to_string() const;
};

// The endpoint split into what requests need.
struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // host[:port] as sent in the Host header; default ports left out
};

// Throws pindeck::Error(Errc::invalid) for anything but http(s)://host[:port][/].
Endpoint parse_endpoint(std::string_view endpoint);

}  // namespace pindeck::s3
