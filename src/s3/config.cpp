// SPDX-License-Identifier: Apache-2.0
#include "s3/config.hpp"

#include <sstream>

#include "pindeck/error.hpp"
#include "s3/limits.hpp"

namespace pindeck::s3 {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid, "S3 configuration: " + message);
}

}  // namespace

Endpoint parse_endpoint(std::string_view endpoint) {
  Endpoint result;
  std::string_view rest;
  if (endpoint.starts_with("https://")) {
    result.scheme = "https";
    rest = endpoint.substr(8);
  } else if (endpoint.starts_with("http://")) {
    result.scheme = "http";
    rest = endpoint.substr(7);
  } else {
    invalid("endpoint '" + std::string(endpoint) + "' must start with http:// or https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) {
    invalid("endpoint '" + std::string(endpoint) +
            "' must be scheme://host[:port] (buckets are addressed path-style)");
  }
  std::string host(rest);
  // curl leaves a default port out of the Host header; the signed host must match it.
  const std::string default_port = result.scheme == "https" ? ":443" : ":80";
  if (host.ends_with(default_port) && host.find(']') == std::string::npos) {
    host.resize(host.size() - default_port.size());
  } else if (host.ends_with("]" + default_port)) {
    host.resize(host.size() - default_port.size());
  }
  result.host = host;
  return result;
}

void Config::validate() const {
  parse_endpoint(endpoint);
  if (region.empty()) invalid("region is empty (set PINDECK_S3_REGION or AWS_REGION)");
  if (credentials.access_key.empty()) {
    invalid("access key is empty (set PINDECK_S3_ACCESS_KEY or AWS_ACCESS_KEY_ID)");
  }
  if (credentials.secret_key.empty()) {
    invalid("secret key is empty (set PINDECK_S3_SECRET_KEY or AWS_SECRET_ACCESS_KEY)");
  }
  if (part_size < kMinPartSize || part_size > kMaxPartSize) {
    invalid("part_size " + std::to_string(part_size) + " is outside S3's 5 MiB to 5 GiB");
  }
  if (multipart_threshold < part_size) {
    invalid("multipart_threshold " + std::to_string(multipart_threshold) +
            " is smaller than part_size " + std::to_string(part_size));
  }
  if (max_parallel_parts < 1 || max_parallel_parts > 64) {
    invalid("max_parallel_parts " + std::to_string(max_parallel_parts) + " is outside 1 to 64");
  }
  if (max_connections < max_parallel_parts || max_connections > 1024) {
    invalid("max_connections " + std::to_string(max_connections) +
            " must be at least max_parallel_parts and at most 1024");
  }
  if (retry.max_attempts < 1) invalid("retry.max_attempts must be at least 1");
  if (retry.base_delay.count() < 0 || retry.max_delay < retry.base_delay) {
    invalid("retry delays must satisfy 0 <= base_delay <= max_delay");
  }
  if (connect_timeout.count() <= 0) invalid("connect_timeout must be positive");
  if (low_speed_limit < 0 || low_speed_time.count() < 0) {
    invalid("low_speed_limit and low_speed_time must not be negative");
  }
}

std::string Config::to_string() const {
  std::ostringstream out;
  out << "endpoint=" << endpoint << " region=" << region << " bucket=" << bucket
      << " access_key=" << credentials.access_key
      << " secret_key=" << (credentials.secret_key.empty() ? "(none)" : "(redacted)")
      << " session_token=" << (credentials.session_token.empty() ? "(none)" : "(redacted)")
      << " verify_tls=" << (verify_tls ? "yes" : "no")
      << " ca_file=" << (ca_file.empty() ? "(system)" : ca_file)
      << " connect_timeout_ms=" << connect_timeout.count() << " low_speed=" << low_speed_limit
      << "B/s for " << low_speed_time.count() << "s"
      << " multipart_threshold=" << multipart_threshold << " part_size=" << part_size
      << " max_parallel_parts=" << max_parallel_parts << " max_connections=" << max_connections
      << " retry_max_attempts=" << retry.max_attempts
      << " retry_total_ms=" << retry.total_time.count();
  return out.str();
}

}  // namespace pindeck::s3
