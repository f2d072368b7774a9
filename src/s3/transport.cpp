// SPDX-License-Identifier: Apache-2.0
#include "s3/transport.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <cstdio>
#include <mutex>

#include "pindeck/error.hpp"

namespace pindeck::s3 {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kMaxErrorBody = 1u << 20;
constexpr long kUploadBuffer = 1l << 20;
constexpr long kDownloadBuffer = 512l << 10;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool has_header(const HttpRequest& request, std::string_view lower_name) {
  for (const auto& [name, value] : request.headers) {
    if (lower(name) == lower_name) return true;
  }
  return false;
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw Error(Errc::internal, "curl_global_init failed");
    }
  });
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

struct Transport::Socket {
  explicit Socket(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  curl_socket_t fd = CURL_SOCKET_BAD;
  int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits curl asked for
  bool reading = false;
  bool writing = false;
  bool closed = false;
};

struct Transport::Exchange {
  ~Exchange() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(header_list);
  }
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  Transfer transfer;
  TransferOutcome outcome;
  std::uint64_t read_pos = 0;
  char error_buffer[CURL_ERROR_SIZE] = {};
  // Stall detection (on_progress): bytes moved so far and when that last changed.
  curl_off_t bytes_moved = -1;
  std::chrono::steady_clock::time_point last_progress;
  std::chrono::steady_clock::duration idle_limit{};
  bool stalled = false;
};

Transport::Transport(asio::io_context& io, TransportOptions options)
    : io_(io), options_(std::move(options)), multi_(nullptr), timer_(io) {
  init_curl_once();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw Error(Errc::nomem, "curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Transport::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Transport::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_connections);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, options_.max_connections);
}

Transport::~Transport() {
  shutdown();
}

void Transport::shutdown() {
  while (!exchanges_.empty()) {
    Exchange& x = *exchanges_.begin()->second;
    std::snprintf(x.error_buffer, sizeof x.error_buffer, "the S3 client was shut down");
    finish(exchanges_.begin()->first, CURLE_ABORTED_BY_CALLBACK);
  }
  if (multi_ != nullptr) {
    curl_multi_cleanup(multi_);  // closes the cached connections through close_socket
    multi_ = nullptr;
  }
  timer_.cancel();
}

void Transport::start(Transfer transfer) {
  auto x = std::make_unique<Exchange>();
  x->transfer = std::move(transfer);
  x->idle_limit = options_.low_speed_time;
  if (multi_ == nullptr) {
    x->outcome.curl_code = CURLE_ABORTED_BY_CALLBACK;
    x->outcome.curl_error = "the S3 client was shut down";
    asio::post(io_, [done = std::move(x->transfer.done), outcome = std::move(x->outcome)] {
      done(outcome);
    });
    return;
  }
  x->easy = curl_easy_init();
  if (x->easy == nullptr) throw Error(Errc::nomem, "curl_easy_init failed");
  CURL* e = x->easy;
  const HttpRequest& request = x->transfer.request;

  curl_easy_setopt(e, CURLOPT_URL, x->transfer.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, x.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.attempt_timeout.count()));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kDownloadBuffer);
  curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBuffer);

  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transport::open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Transport::close_socket);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transport::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transport::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x.get());
  if (options_.low_speed_limit > 0 && options_.low_speed_time.count() > 0) {
    // curl's own low-speed check (above) averages over 5 s; this one ends a transfer that has
    // moved no byte at all for low_speed_time. curl's speed check wakes the transfer every second,
    // so the callback runs even when nothing moves.
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &Transport::on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, x.get());
  }

  const std::string& method = request.method;
  const bool sends_body = method == "PUT" || method == "POST";
  if (method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT") {
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(x->transfer.body.size()));
  } else if (method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(x->transfer.body.size()));
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (sends_body) {
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transport::on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, x.get());
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Transport::on_seek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, x.get());
  }

  auto append = [&x](const std::string& line) {
    curl_slist* grown = curl_slist_append(x->header_list, line.c_str());
    if (grown == nullptr) throw Error(Errc::nomem, "curl_slist_append failed");
    x->header_list = grown;
  };
  for (const auto& [name, value] : request.headers) {
    // "Name;" is curl's way of sending a header with an empty value.
    append(value.empty() ? name + ";" : name + ": " + value);
  }
  // The Host header must be exactly the host that was signed.
  if (!has_header(request, "host")) append("Host: " + request.host);
  // Plain bodies go at once: no 100-continue round trip, no form content type for POST.
  append("Expect:");
  if (method == "POST" && !has_header(request, "content-type")) append("Content-Type:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->header_list);

  CURL* key = x->easy;
  exchanges_.emplace(key, std::move(x));
  CURLMcode rc = curl_multi_add_handle(multi_, key);
  if (rc != CURLM_OK) {
    exchanges_.erase(key);
    throw Error(Errc::internal, std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
}

curl_socket_t Transport::open_socket(void* self_ptr, curlsocktype purpose, curl_sockaddr* address) {
  auto* self = static_cast<Transport*>(self_ptr);
  if (purpose != CURLSOCKTYPE_IPCXN ||
      (address->family != AF_INET && address->family != AF_INET6)) {
    return CURL_SOCKET_BAD;
  }
  auto socket = std::make_shared<Socket>(self->io_);
  boost::system::error_code ec;
  socket->socket.open(address->family == AF_INET ? tcp::v4() : tcp::v6(), ec);
  if (ec) return CURL_SOCKET_BAD;
  socket->fd = socket->socket.native_handle();
  self->sockets_[socket->fd] = socket;
  return socket->fd;
}

int Transport::close_socket(void* self_ptr, curl_socket_t fd) {
  auto* self = static_cast<Transport*>(self_ptr);
  auto it = self->sockets_.find(fd);
  if (it == self->sockets_.end()) return ::close(fd);
  std::shared_ptr<Socket> socket = std::move(it->second);
  self->sockets_.erase(it);
  socket->closed = true;
  boost::system::error_code ignored;
  socket->socket.close(ignored);  // pending waits end with operation_aborted
  return 0;
}

int Transport::on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
  auto* self = static_cast<Transport*>(self_ptr);
  auto it = self->sockets_.find(fd);
  if (it == self->sockets_.end()) return 0;
  it->second->wanted = what == CURL_POLL_REMOVE ? 0 : what;
  self->watch(it->second);
  return 0;
}

// A wait already pending is left alone even when curl stops wanting its direction: when it
// completes, on_ready sees the direction is no longer wanted and drops it. That keeps at most one
// wait per direction and never loses a wake-up.
void Transport::watch(const std::shared_ptr<Socket>& socket) {
  if ((socket->wanted & CURL_POLL_IN) && !socket->reading) {
    socket->reading = true;
    socket->socket.async_wait(tcp::socket::wait_read,
                              [this, socket](const boost::system::error_code& ec) {
                                socket->reading = false;
                                if (ec == asio::error::operation_aborted) return;
                                on_ready(socket, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
                              });
  }
  if ((socket->wanted & CURL_POLL_OUT) && !socket->writing) {
    socket->writing = true;
    socket->socket.async_wait(tcp::socket::wait_write,
                              [this, socket](const boost::system::error_code& ec) {
                                socket->writing = false;
                                if (ec == asio::error::operation_aborted) return;
                                on_ready(socket, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
                              });
  }
}

void Transport::on_ready(const std::shared_ptr<Socket>& socket, int direction) {
  if (socket->closed) return;
  const int wanted_bit = direction == CURL_CSELECT_OUT ? CURL_POLL_OUT : CURL_POLL_IN;
  if (direction != CURL_CSELECT_ERR && !(socket->wanted & wanted_bit)) return;
  act(socket->fd, direction);
  if (!socket->closed) watch(socket);
}

int Transport::on_timer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<Transport*>(self_ptr);
  self->timer_.cancel();
  if (timeout_ms < 0) return 0;
  self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  self->timer_.async_wait([self](const boost::system::error_code& ec) {
    if (!ec) self->act(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void Transport::act(curl_socket_t fd, int events) {
  if (multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  finish_done_transfers();
}

void Transport::finish_done_transfers() {
  std::vector<std::pair<CURL*, CURLcode>> done;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg == CURLMSG_DONE) done.emplace_back(message->easy_handle, message->data.result);
  }
  for (auto [easy, code] : done) finish(easy, code);
}

void Transport::finish(CURL* easy, CURLcode code) {
  auto it = exchanges_.find(easy);
  if (it == exchanges_.end()) return;
  std::unique_ptr<Exchange> x = std::move(it->second);
  exchanges_.erase(it);
  curl_multi_remove_handle(multi_, easy);
  TransferOutcome outcome = std::move(x->outcome);
  outcome.curl_code = code;
  if (x->stalled) {
    outcome.curl_code = CURLE_OPERATION_TIMEDOUT;
    outcome.curl_error = "no data moved for " + std::to_string(options_.low_speed_time.count()) +
                         " s: the connection stalled";
  } else if (code != CURLE_OK) {
    outcome.curl_error = x->error_buffer[0] != '\0' ? x->error_buffer : curl_easy_strerror(code);
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  outcome.response.status = status;
  auto done = std::move(x->transfer.done);
  x.reset();
  done(std::move(outcome));
}

std::size_t Transport::on_read(char* buffer, std::size_t size, std::size_t count, void* ptr) {
  auto* x = static_cast<Exchange*>(ptr);
  try {
    std::size_t got = x->transfer.body.read_at(x->read_pos, buffer, size * count);
    x->read_pos += got;
    return got;
  } catch (...) {
    x->outcome.local_error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

int Transport::on_progress(void* ptr, curl_off_t, curl_off_t downloaded, curl_off_t,
                           curl_off_t uploaded) {
  auto* x = static_cast<Exchange*>(ptr);
  const auto now = std::chrono::steady_clock::now();
  if (downloaded + uploaded != x->bytes_moved) {
    x->bytes_moved = downloaded + uploaded;
    x->last_progress = now;
    return 0;
  }
  if (now - x->last_progress < x->idle_limit) return 0;
  x->stalled = true;
  return 1;  // curl ends the transfer; finish() reports it as a timeout
}

int Transport::on_seek(void* ptr, curl_off_t offset, int origin) {
  auto* x = static_cast<Exchange*>(ptr);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  x->read_pos = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t Transport::on_header(char* buffer, std::size_t size, std::size_t count, void* ptr) {
  auto* x = static_cast<Exchange*>(ptr);
  const std::size_t n = size * count;
  std::string_view line(buffer, n);
  auto& headers = x->outcome.response.headers;
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (after a 100 Continue, say)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(lower(trim(line.substr(0, colon))),
                         std::string(trim(line.substr(colon + 1))));
  }
  return n;
}

std::size_t Transport::on_write(char* buffer, std::size_t size, std::size_t count, void* ptr) {
  auto* x = static_cast<Exchange*>(ptr);
  const std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300 && x->transfer.sink) {
    try {
      x->transfer.sink->write(buffer, n);
    } catch (...) {
      x->outcome.local_error = std::current_exception();
      return 0;  // CURLE_WRITE_ERROR
    }
    return n;
  }
  std::string& body = x->outcome.response.body;
  const bool capped = !(status >= 200 && status < 300);
  if (!capped || body.size() < kMaxErrorBody) {
    body.append(buffer, capped ? std::min(n, kMaxErrorBody - body.size()) : n);
  }
  return n;
}

}  // namespace pindeck::s3
