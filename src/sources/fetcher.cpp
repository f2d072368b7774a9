// SPDX-License-Identifier: Apache-2.0
#include "sources/fetcher.hpp"

#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

#include "pindeck/error.hpp"
#include "pindeck/version.h"
#include "sources/address_rules.hpp"

namespace pindeck::sources {
namespace {

namespace ip = boost::asio::ip;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxUrlShown = 300;
constexpr long kReceiveBuffer = 64L << 10;
constexpr char kUserAgent[] = "libpindeck/" PD_VERSION_STRING;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw Error(Errc::internal, "curl_global_init failed");
    }
  });
}

struct UrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlFree>;

struct EasyFree {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// A part of a parsed URL, nullopt when the URL has none.
std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A URL as messages show it: anything before an '@' in the authority replaced, since that is
// where credentials go (this matters for URLs curl could not parse; for the others, credentials
// are found by curl and refused first), and cut to a readable length.
std::string shown(std::string_view url) {
  std::string out(url);
  const std::size_t separator = out.find("://");
  const std::size_t start = separator == std::string::npos ? 0 : separator + 3;
  const std::size_t end = std::min(out.find_first_of("/?#", start), out.size());
  const std::size_t at = end == start ? std::string::npos : out.rfind('@', end - 1);
  if (at != std::string::npos && at >= start) out.replace(start, at - start, "***");
  if (out.size() > kMaxUrlShown) out = out.substr(0, kMaxUrlShown) + "...";
  return out;
}

std::string limit_text(std::uint64_t bytes) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Why a URL (the one given or a redirect's target) is not fetched.
struct Problem {
  Errc code;
  std::string target;  // the URL as shown
  std::string reason;
};

// A URL that passed the checks: parsed, its host resolved and every address allowed.
struct Target {
  UrlHandle url;
  std::string text;  // curl's normal form: what is fetched and reported
  std::string host;  // as curl looks it up (punycode, no IPv6 brackets)
  long port = 0;
  std::vector<ip::address> pinned;  // empty for an IP literal, which curl does not resolve
};

struct Checker {
  const FetchOptions& options;
  const detail::FetchSeams& seams;

  std::optional<std::string> refusal(const ip::address& address) const {
    if (options.allow_private_network) return std::nullopt;
    return seams.refusal ? seams.refusal(address) : refusal_of(address);
  }

  detail::Resolution resolve(const std::string& host, const std::string& target) const {
    if (seams.resolve) return seams.resolve(host);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0) {
      throw Problem{Errc::network, target,
                    "cannot resolve host '" + host + "': " + gai_strerror(rc)};
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);
    std::vector<ip::address> addresses;
    for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
      ip::address address;
      if (at->ai_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(at->ai_addr);
        address = ip::address_v4(ntohl(in->sin_addr.s_addr));
      } else if (at->ai_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(at->ai_addr);
        ip::address_v6::bytes_type bytes;
        std::copy_n(in6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
        address = ip::address_v6(bytes);
      } else {
        continue;
      }
      if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
        addresses.push_back(address);
      }
    }
    return {addresses, addresses};
  }

  // Parses `url` (relative to `base` when given: a redirect's Location) and checks it. Throws
  // Problem.
  Target check(std::string_view url, CURLU* base) const {
    std::string target = shown(url);
    UrlHandle parsed(base != nullptr ? curl_url_dup(base) : curl_url());
    if (!parsed) throw std::bad_alloc();
    if (url.find('\0') != std::string_view::npos) {
      throw Problem{Errc::invalid, target, "it contains a NUL character"};
    }
    // Any scheme is parsed so that the refusal can name it.
    const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, std::string(url).c_str(),
                                      CURLU_NON_SUPPORT_SCHEME);
    if (rc != CURLUE_OK) {
      throw Problem{Errc::invalid, target,
                    std::string("it cannot be parsed (") + curl_url_strerror(rc) + ")"};
    }
    if (url_part(parsed.get(), CURLUPART_USER) || url_part(parsed.get(), CURLUPART_PASSWORD) ||
        url_part(parsed.get(), CURLUPART_OPTIONS)) {
      curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
      curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
      curl_url_set(parsed.get(), CURLUPART_OPTIONS, nullptr, 0);
      throw Problem{Errc::invalid, shown(url_part(parsed.get(), CURLUPART_URL).value_or("")),
                    "credentials in URLs are not allowed"};
    }
    const std::string scheme = lower(url_part(parsed.get(), CURLUPART_SCHEME).value_or(""));
    if (scheme != "http" && scheme != "https") {
      throw Problem{Errc::invalid, target,
                    "scheme '" + scheme + "' is not allowed (http and https only)"};
    }
    Target checked;
    checked.host = url_part(parsed.get(), CURLUPART_HOST, CURLU_PUNYCODE).value_or("");
    if (checked.host.empty()) throw Problem{Errc::invalid, target, "it has no host"};
    checked.port =
        std::stol(url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("0"));
    checked.text = url_part(parsed.get(), CURLUPART_URL, CURLU_PUNYCODE).value_or("");
    const bool bracketed = checked.host.front() == '[' && checked.host.back() == ']';
    const std::string bare =
        bracketed ? checked.host.substr(1, checked.host.size() - 2) : checked.host;
    boost::system::error_code not_literal;
    const ip::address literal = ip::make_address(bare, not_literal);
    if (!not_literal) {
      // curl has already turned every IPv4 spelling (2130706433, 0x7f000001, 0177.0.0.1, 127.1)
      // into dotted decimal, so the literal is seen whatever the spelling.
      if (auto rule = refusal(literal)) {
        throw Problem{Errc::invalid, target, literal.to_string() + " is " + *rule};
      }
    } else {
      checked.host = bare;
      detail::Resolution resolution = resolve(bare, target);
      if (resolution.checked.empty()) {
        throw Problem{Errc::network, target, "host '" + bare + "' resolves to no address"};
      }
      // All must pass: curl may connect to any of them.
      for (const ip::address& address : resolution.checked) {
        if (auto rule = refusal(address)) {
          throw Problem{Errc::invalid, target,
                        "host '" + bare + "' resolves to " + address.to_string() + ", " + *rule};
        }
      }
      checked.pinned = std::move(resolution.pinned);
    }
    checked.url = std::move(parsed);
    return checked;
  }
};

// One request and how it ended.
struct Exchange {
  const Checker& checker;
  const FetchSink& sink;
  CURL* easy = nullptr;
  std::uint64_t delivered = 0;
  std::string location{};
  bool discarded = false;  // a non-2xx answer's body arrived and was not read
  bool too_large = false;
  std::optional<std::string> connect_refusal{};
  std::exception_ptr sink_error{};
  char error_buffer[CURL_ERROR_SIZE] = {};

  long status() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& self = *static_cast<Exchange*>(user);
    const std::string_view line(data, size * count);
    // A status line starts each answer (1xx ones included): only the last answer's Location.
    if (line.starts_with("HTTP/")) self.location.clear();
    constexpr std::string_view kLocation = "location:";
    if (line.size() > kLocation.size() && lower(line.substr(0, kLocation.size())) == kLocation) {
      std::string_view value = line.substr(kLocation.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())) != 0) {
        value.remove_suffix(1);
      }
      self.location = value;
    }
    return size * count;
  }

  static size_t on_write(char* data, size_t size, size_t count, void* user) {
    auto& self = *static_cast<Exchange*>(user);
    const size_t bytes = size * count;
    const long status = self.status();
    if (status < 200 || status > 299) {
      // Error pages and redirect bodies are of no use; stopping spares reading them.
      self.discarded = true;
      return 0;
    }
    if (self.delivered + bytes > self.checker.options.max_bytes) {
      self.too_large = true;
      return 0;
    }
    try {
      self.sink(std::span(reinterpret_cast<const std::byte*>(data), bytes));
    } catch (...) {
      self.sink_error = std::current_exception();
      return 0;
    }
    self.delivered += bytes;
    return bytes;
  }

  // The check at connect time: what the address rules saw before may not be what curl connects
  // to (DNS rebinding, or a resolver that ignores the pinning).
  static curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    auto& self = *static_cast<Exchange*>(user);
    ip::address peer;
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&address->addr);
      peer = ip::address_v4(ntohl(in->sin_addr.s_addr));
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      ip::address_v6::bytes_type bytes;
      std::copy_n(in6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
      peer = ip::address_v6(bytes);
    } else {
      self.connect_refusal = "curl was to connect to a non-IP address";
      return CURL_SOCKET_BAD;
    }
    if (auto rule = self.checker.refusal(peer)) {
      self.connect_refusal = "the connection went to " + peer.to_string() + ", " + *rule;
      return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }
};

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct HopOutcome {
  long status = 0;
  std::string location{};
  std::string content_type;
  std::uint64_t delivered = 0;
};

HopOutcome perform(const Target& target, const Checker& checker, const FetchSink& sink,
                   Clock::time_point deadline, const std::string& original) {
  const FetchOptions& options = checker.options;
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (remaining.count() <= 0) {
    throw Error(Errc::network, "URL '" + original + "': timed out after " +
                                   std::to_string(options.total_timeout.count()) + " ms");
  }
  std::unique_ptr<CURL, EasyFree> easy(curl_easy_init());
  if (!easy) throw Error(Errc::internal, "curl_easy_init failed");
  CURL* e = easy.get();
  Exchange exchange{checker, sink, e};

  std::unique_ptr<curl_slist, SlistFree> resolve;
  if (!target.pinned.empty()) {
    // Pins curl to the addresses that were checked, so it does not ask DNS a second time.
    std::string entry = target.host + ":" + std::to_string(target.port) + ":";
    for (std::size_t i = 0; i < target.pinned.size(); ++i) {
      if (i > 0) entry += ",";
      const ip::address& address = target.pinned[i];
      // Appended piece by piece: GCC 12 at -O3 takes `"[" + std::string` for an overlapping copy.
      if (address.is_v6()) entry += '[';
      entry += address.to_string();
      if (address.is_v6()) entry += ']';
    }
    resolve.reset(curl_slist_append(nullptr, entry.c_str()));
    if (!resolve) throw std::bad_alloc();
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve.get());
  }
  curl_easy_setopt(e, CURLOPT_URL, target.text.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // Redirects are followed by fetch(), so that each target is checked and counted.
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  // A proxy (from http_proxy, https_proxy, ALL_PROXY...) would do the connecting and bypass the
  // address checks, so none is used whatever the environment says.
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_limit);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, exchange.error_buffer);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Exchange::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Exchange::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Exchange::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &exchange);

  const CURLcode code = curl_easy_perform(e);
  if (exchange.connect_refusal) throw Problem{Errc::invalid, "", *exchange.connect_refusal};
  if (exchange.sink_error) std::rethrow_exception(exchange.sink_error);
  HopOutcome outcome;
  outcome.status = exchange.status();
  const bool success = outcome.status >= 200 && outcome.status <= 299;
  if (exchange.too_large || (code == CURLE_FILESIZE_EXCEEDED && success)) {
    throw Error(Errc::invalid, "URL '" + original + "' refused: the body is larger than the " +
                                   limit_text(options.max_bytes) + " limit");
  }
  // An answer that is not a success ends with curl's "write error" (its body is not read) or, when
  // it announces a large body, with a size error: the status is what counts then.
  const bool answered = code == CURLE_OK || exchange.discarded ||
                        (code == CURLE_FILESIZE_EXCEEDED && outcome.status >= 300);
  if (!answered) {
    std::string reason = curl_easy_strerror(code);
    if (exchange.error_buffer[0] != '\0') reason += " (" + std::string(exchange.error_buffer) + ")";
    throw Error(Errc::network, "URL '" + original + "': " + reason);
  }
  outcome.location = std::move(exchange.location);
  const char* content_type = nullptr;
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) outcome.content_type = content_type;
  outcome.delivered = exchange.delivered;
  return outcome;
}

FetchResult fetch_checked(std::string_view url, const FetchOptions& options, const FetchSink& sink,
                          const detail::FetchSeams& seams) {
  init_curl_once();
  const Clock::time_point deadline = Clock::now() + options.total_timeout;
  const Checker checker{options, seams};
  Target target;
  try {
    target = checker.check(url, nullptr);
  } catch (const Problem& problem) {
    throw Error(problem.code, "URL '" + problem.target + "' " +
                                  (problem.code == Errc::invalid ? "refused" : "failed") + ": " +
                                  problem.reason);
  }
  // It passed the checks, so it has no credentials to hide.
  const std::string original = shown(url);
  for (int redirects = 0;; ++redirects) {
    HopOutcome outcome;
    try {
      outcome = perform(target, checker, sink, deadline, original);
    } catch (const Problem& problem) {
      throw Error(problem.code, "URL '" + original + "' refused: " + problem.reason);
    }
    const std::string at = redirects == 0 ? "" : " (at '" + shown(target.text) + "')";
    if (is_redirect(outcome.status) && !outcome.location.empty()) {
      if (redirects == options.max_redirects) {
        throw Error(Errc::invalid, "URL '" + original + "' refused: more than " +
                                       std::to_string(options.max_redirects) + " redirects");
      }
      try {
        target = checker.check(outcome.location, target.url.get());
      } catch (const Problem& problem) {
        throw Error(problem.code, "URL '" + original + "' " +
                                      (problem.code == Errc::invalid ? "refused" : "failed") +
                                      ": redirect to '" + problem.target + "': " + problem.reason);
      }
      continue;
    }
    if (outcome.status == 404 || outcome.status == 410) {
      throw Error(Errc::not_found,
                  "URL '" + original + "': HTTP status " + std::to_string(outcome.status) + at);
    }
    if (outcome.status < 200 || outcome.status > 299) {
      throw Error(Errc::network,
                  "URL '" + original + "': HTTP status " + std::to_string(outcome.status) + at);
    }
    return FetchResult{target.text, outcome.content_type, outcome.delivered};
  }
}

}  // namespace

FetchResult fetch(std::string_view url, const FetchOptions& options, const FetchSink& sink) {
  return fetch_checked(url, options, sink, detail::FetchSeams{});
}

namespace detail {

FetchResult fetch(std::string_view url, const FetchOptions& options, const FetchSink& sink,
                  const FetchSeams& seams) {
  return fetch_checked(url, options, sink, seams);
}

}  // namespace detail

}  // namespace pindeck::sources
