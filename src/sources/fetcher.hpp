// SPDX-License-Identifier: Apache-2.0
// The safe fetcher (DESIGN §7): every image a source names is downloaded through it. It speaks
// http and https only, refuses URLs with credentials, checks every address a host resolves to
// against the address rules (sources/address_rules.hpp) before connecting and the address it
// actually connects to again, follows at most a few redirects (each checked the same way), and
// streams the body to a sink under a size limit and timeouts, never holding it in memory. The
// server's Content-Type is reported but not trusted: callers sniff the bytes.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pindeck::sources {

struct FetchOptions {
  bool allow_private_network = false;  // lets every address rule pass; nothing else changes
  std::uint64_t max_bytes = std::uint64_t{40} << 20;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{300'000};  // for the whole fetch, redirects included
  long low_speed_limit = 1024;  // bytes per second, below which for low_speed_time the fetch fails
  std::chrono::seconds low_speed_time{30};
  int max_redirects = 5;
};

struct FetchResult {
  std::string final_url;     // after redirects (no credentials: those are refused)
  std::string content_type;  // the server's header, for information only
  std::uint64_t byte_size = 0;
};

// Receives the body in chunks as it arrives; may throw to abort (the exception propagates out of
// fetch).
using FetchSink = std::function<void(std::span<const std::byte>)>;

// Fetches `url`, blocking the calling thread. Errors (pindeck::Error):
//  Errc::invalid "URL '<url>' refused: <rule>" for a URL that is not http/https, has credentials
//    (the message does not repeat them), cannot be parsed, resolves to an address a rule refuses,
//    or redirects more than max_redirects times or to a refused target; also for a body over
//    max_bytes ("... is larger than the 40 MiB limit").
//  Errc::not_found for HTTP 404 and 410; Errc::network for connection failures, timeouts, host
//    names that do not resolve and other non-2xx statuses (the message names the status or curl's
//    reason).
FetchResult fetch(std::string_view url, const FetchOptions& options, const FetchSink& sink);

namespace detail {

// What a host name resolves to: the addresses checked before connecting and those curl is pinned
// to. A real fetch resolves once and uses the same list for both.
struct Resolution {
  std::vector<boost::asio::ip::address> checked;
  std::vector<boost::asio::ip::address> pinned;
};

// Seams for the fetcher's own tests, which cannot produce a public host or DNS rebinding on
// loopback: a resolver for host names (IP literals are never resolved) and the rules the
// addresses are checked against, before connecting and at connect time. Empty functions mean
// getaddrinfo and refusal_of.
struct FetchSeams {
  std::function<Resolution(const std::string& host)> resolve;
  std::function<std::optional<std::string>(const boost::asio::ip::address&)> refusal;
};

FetchResult fetch(std::string_view url, const FetchOptions& options, const FetchSink& sink,
                  const FetchSeams& seams);

}  // namespace detail

}  // namespace pindeck::sources
