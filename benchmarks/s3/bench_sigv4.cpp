// SPDX-License-Identifier: Apache-2.0
// SigV4 signer benchmarks: signing a typical PUT with a cached key, the canonical request alone,
// payload SHA-256 against OpenSSL's own EVP call, and signing cost against libcurl's built-in
// CURLOPT_AWS_SIGV4 on the same request in the same run.
//
// libcurl signs only while it sends a request, so the comparison runs whole curl transfers over
// 127.0.0.1 inside this process (no server, no other thread): each easy handle keeps one
// connection to a listener of ours, and a CURLOPT_PREREQFUNCTION queues an HTTP 200 reply just
// before curl sends. Three variants send the same PUT:
//   precomputed_headers  signing headers made once beforehand, nobody signs per transfer
//   curl_aws_sigv4       curl signs every transfer itself (CURLOPT_AWS_SIGV4)
//   our_signer           Signer::sign on every transfer, its headers handed over as a curl_slist
// curl's signing cost is curl_aws_sigv4 - precomputed_headers; ours is our_signer -
// precomputed_headers, which also counts building the curl_slist (curl's own signer needs none).
// BM_Curl_Interleaved runs the three in turn and reports both costs and their ratio.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "s3/crypto.hpp"
#include "s3/sigv4.hpp"
#include "util/sha256.hpp"

namespace {

using pindeck::s3::HttpRequest;
using pindeck::s3::Signer;
using Clock = std::chrono::system_clock;

constexpr const char* kBody = "hello world";

Signer make_signer() {
  return Signer({"AKIAPINDECKTEST00001", "pindeck/secret+KEY/ExampleOnly0123456789ab", ""},
                "us-east-1");
}

// A PUT as the pipeline sends one: an object key with date folders, a content type, a cache
// policy, a metadata header and the body's length and hash.
HttpRequest typical_put() {
  HttpRequest request;
  request.method = "PUT";
  request.host = "127.0.0.1:9000";
  request.path = "/pindeck/media-uploads/2026/11_23/original/sunset-m0abc-x1y2z3.jpg";
  request.headers = {{"Content-Type", "image/jpeg"},
                     {"Content-Length", std::to_string(std::strlen(kBody))},
                     {"Cache-Control", "public, max-age=31536000, immutable"},
                     {"x-amz-meta-source", "discord"}};
  request.payload_hash = pindeck::util::sha256_hex(kBody);
  return request;
}

// Re-signing one request object: sign() replaces its signing headers each time, as on a retry.
void BM_SignTypicalPutCachedKey(benchmark::State& state) {
  const Signer signer = make_signer();
  HttpRequest request = typical_put();
  signer.sign(request, Clock::now());  // derives and caches today's key
  for (auto _ : state) {
    signer.sign(request, Clock::now());
    benchmark::DoNotOptimize(request.headers.back().second.data());
  }
}
BENCHMARK(BM_SignTypicalPutCachedKey);

// A fresh copy of the unsigned request each time (what a client building requests pays).
void BM_SignTypicalPutFreshCopy(benchmark::State& state) {
  const Signer signer = make_signer();
  const HttpRequest unsigned_request = typical_put();
  HttpRequest warm = unsigned_request;
  signer.sign(warm, Clock::now());
  for (auto _ : state) {
    HttpRequest request = unsigned_request;
    signer.sign(request, Clock::now());
    benchmark::DoNotOptimize(request.headers.back().second.data());
  }
}
BENCHMARK(BM_SignTypicalPutFreshCopy);

// The key derivation the cache saves: four HMACs plus setting up the signing key, every time.
void BM_SignTypicalPutNewKeyEachTime(benchmark::State& state) {
  const Signer signer = make_signer();
  HttpRequest request = typical_put();
  auto when = Clock::now();
  for (auto _ : state) {
    when += std::chrono::hours(24);
    signer.sign(request, when);
    benchmark::DoNotOptimize(request.headers.back().second.data());
  }
}
BENCHMARK(BM_SignTypicalPutNewKeyEachTime);

void BM_CanonicalRequestOnly(benchmark::State& state) {
  const Signer signer = make_signer();
  const HttpRequest request = typical_put();
  for (auto _ : state) {
    std::string canonical = signer.canonical_request(request, Clock::now());
    benchmark::DoNotOptimize(canonical.data());
  }
}
BENCHMARK(BM_CanonicalRequestOnly);

// Payload hashing at 16 KiB blocks, each block a whole digest (what `openssl speed -bytes 16384
// sha256` measures), ours against OpenSSL's EVP_Digest with the implicitly fetched EVP_sha256().
void BM_PayloadSha256_Ours(benchmark::State& state) {
  const std::string block(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto digest = pindeck::util::sha256(block);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PayloadSha256_Ours)->Arg(16384);

void BM_PayloadSha256_OpenSslEvpDigest(benchmark::State& state) {
  const std::string block(static_cast<std::size_t>(state.range(0)), 'x');
  unsigned char digest[EVP_MAX_MD_SIZE];
  for (auto _ : state) {
    EVP_Digest(block.data(), block.size(), digest, nullptr, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PayloadSha256_OpenSslEvpDigest)->Arg(16384);

// A body streamed through one digest in 16 KiB reads (how a file upload is hashed).
void BM_PayloadSha256_OursStreaming(benchmark::State& state) {
  const std::string block(static_cast<std::size_t>(state.range(0)), 'x');
  pindeck::util::Sha256 digest;
  for (auto _ : state) digest.update(block);
  benchmark::DoNotOptimize(digest.finish());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PayloadSha256_OursStreaming)->Arg(16384);

// ---- curl over an in-process loopback connection ----------------------------------------------

constexpr char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

// A listening socket on 127.0.0.1 and the server end of the (kept-alive) connection curl made.
struct LoopbackServer {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  int accepted = -1;
  std::string last_request;  // what curl sent last

  LoopbackServer() {
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener, 16) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      close(listener);
      listener = -1;
    }
  }
  ~LoopbackServer() {
    if (accepted >= 0) close(accepted);
    if (listener >= 0) close(listener);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(ntohs(address.sin_port)); }

  // Called when curl is connected and about to send: takes the connection if curl has just made
  // one (the kernel completes a loopback handshake inside connect()), then queues the reply.
  bool reply_to_next_request() {
    if (const int fresh = accept(listener, nullptr, nullptr); fresh >= 0) {
      if (accepted >= 0) close(accepted);
      accepted = fresh;
    }
    return accepted >= 0 && send(accepted, kReply, sizeof kReply - 1, MSG_NOSIGNAL) ==
                                static_cast<ssize_t>(sizeof kReply - 1);
  }

  void read_request() {
    char buffer[4096];
    last_request.clear();
    for (ssize_t n; (n = recv(accepted, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;) {
      last_request.append(buffer, static_cast<std::size_t>(n));
    }
  }
};

// CURLOPT_PREREQFUNCTION: curl is connected and about to send the request.
int on_request_ready(void* user, char*, char*, int, int) {
  return static_cast<LoopbackServer*>(user)->reply_to_next_request() ? CURL_PREREQFUNC_OK
                                                                     : CURL_PREREQFUNC_ABORT;
}

size_t discard(char*, size_t size, size_t count, void*) {
  return size * count;
}

curl_slist* to_slist(const HttpRequest& request) {
  curl_slist* list = nullptr;
  std::string line;
  for (const auto& [name, value] : request.headers) {
    line.assign(name).append(": ").append(value);
    list = curl_slist_append(list, line.c_str());
  }
  return list;
}

std::string signed_headers_in(const std::string& raw_request) {
  const std::size_t at = raw_request.find("SignedHeaders=");
  if (at == std::string::npos) return "(none)";
  return raw_request.substr(at + 14, raw_request.find(',', at) - at - 14);
}

// Who signs the PUT that curl sends.
enum class Signing {
  precomputed,  // nobody: the signing headers of an earlier signature are sent as they are
  curl,         // curl, through CURLOPT_AWS_SIGV4
  ours,         // Signer::sign on every transfer, its headers handed over as a curl_slist
};

// One easy handle doing the typical PUT to its own loopback server, over one kept-alive
// connection.
class CurlPut {
 public:
  CurlPut(Signing signing, const Signer& signer) : signing_(signing), signer_(signer) {
    request_ = typical_put();
    request_.host = server_.host();
    // curl sets Content-Length itself from the body.
    std::erase_if(request_.headers, [](const auto& h) { return h.first == "Content-Length"; });
    const std::string url = Signer::url(request_, "http");
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, kBody);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE, static_cast<long>(std::strlen(kBody)));
    curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, on_request_ready);
    curl_easy_setopt(easy_, CURLOPT_PREREQDATA, &server_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, discard);
    if (signing == Signing::precomputed) signer_.sign(request_, Clock::now());
    if (signing == Signing::curl) {
      curl_easy_setopt(easy_, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
      curl_easy_setopt(easy_, CURLOPT_USERNAME, "AKIAPINDECKTEST00001");
      curl_easy_setopt(easy_, CURLOPT_PASSWORD, "pindeck/secret+KEY/ExampleOnly0123456789ab");
    }
    if (signing != Signing::ours) headers_ = to_slist(request_);
  }
  ~CurlPut() {
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
  }

  bool transfer() {
    if (signing_ == Signing::ours) {
      signer_.sign(request_, Clock::now());
      curl_slist_free_all(headers_);
      headers_ = to_slist(request_);
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    long status = 0;
    const bool ok = curl_easy_perform(easy_) == CURLE_OK &&
                    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                    status == 200;
    server_.read_request();
    return ok;
  }

  std::string signed_headers() const { return signed_headers_in(server_.last_request); }

 private:
  LoopbackServer server_;
  CURL* easy_ = curl_easy_init();
  curl_slist* headers_ = nullptr;
  HttpRequest request_;
  Signing signing_;
  const Signer& signer_;
};

void BM_Curl(benchmark::State& state, Signing signing) {
  const Signer signer = make_signer();
  CurlPut put(signing, signer);
  for (auto _ : state) {
    if (!put.transfer()) state.SkipWithError("curl transfer failed");
  }
  if (signing != Signing::precomputed) state.SetLabel("signed " + put.signed_headers());
}
BENCHMARK_CAPTURE(BM_Curl, precomputed_headers, Signing::precomputed);
BENCHMARK_CAPTURE(BM_Curl, curl_aws_sigv4, Signing::curl);
BENCHMARK_CAPTURE(BM_Curl, our_signer, Signing::ours);

double thread_cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// The three variants in turn within every iteration, so that the noise of a shared machine hits
// them alike; each one's thread CPU time is kept apart. Signing costs are each variant minus the
// precomputed one; curl_over_ours is curl's signing cost over ours.
void BM_Curl_Interleaved(benchmark::State& state) {
  const Signer signer = make_signer();
  CurlPut precomputed(Signing::precomputed, signer);
  CurlPut by_curl(Signing::curl, signer);
  CurlPut by_us(Signing::ours, signer);
  CurlPut* variants[] = {&precomputed, &by_curl, &by_us};
  double cpu_ns[3] = {0, 0, 0};
  for (auto _ : state) {
    for (int v = 0; v < 3; ++v) {
      const double start = thread_cpu_ns();
      if (!variants[v]->transfer()) state.SkipWithError("curl transfer failed");
      cpu_ns[v] += thread_cpu_ns() - start;
    }
  }
  const auto n = static_cast<double>(state.iterations());
  const double curl_signing = (cpu_ns[1] - cpu_ns[0]) / n;
  const double our_signing = (cpu_ns[2] - cpu_ns[0]) / n;
  state.counters["plain_us"] = cpu_ns[0] / n / 1000;
  state.counters["curl_sign_us"] = curl_signing / 1000;
  state.counters["our_sign_us"] = our_signing / 1000;
  state.counters["curl_over_ours"] = curl_signing / our_signing;
}
BENCHMARK(BM_Curl_Interleaved)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  curl_global_cleanup();
  return 0;
}
