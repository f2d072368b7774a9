// SigV4 signer benchmarks: signing a typical PUT with a cached key, the canonical request alone,
// payload SHA-256 against OpenSSL's own EVP call, and signing cost against libcurl's built-in
// CURLOPT_AWS_SIGV4 on the same request in the same run.
//
// The curl comparison runs whole curl transfers over 127.0.0.1 inside this process (no other
// thread, no server): curl "opens" its socket through CURLOPT_OPENSOCKETFUNCTION, which connects
// it to a listener of ours and queues an HTTP 200 reply on the accepted end before curl sends.
// Three variants send the same bytes:
//   Curl/plain         curl with the signing headers already in place (a fixed, precomputed set)
//   Curl/aws_sigv4     curl signing the request itself (CURLOPT_AWS_SIGV4)
//   Curl/ours          our Signer::sign on every transfer, headers handed to curl as a slist
// curl's signing cost is aws_sigv4 - plain; ours is ours - plain (it also includes building the
// slist, which curl's own signer does not need). Compare those two differences.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "s3/crypto.hpp"
#include "s3/sigv4.hpp"

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
  request.payload_hash = Signer::sha256_hex(kBody);
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
    auto digest = pindeck::s3::crypto::sha256(block);
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
  pindeck::s3::crypto::Sha256 digest;
  for (auto _ : state) digest.update(block);
  benchmark::DoNotOptimize(digest.finish());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PayloadSha256_OursStreaming)->Arg(16384);

// ---- curl over an in-process loopback connection
// ------------------------------------------------------

constexpr char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

// A listening socket on 127.0.0.1 and the server end of the connection curl made to it.
struct LoopbackServer {
  int listener = -1;
  sockaddr_in address{};
  int accepted = -1;
  std::string last_request;  // what curl sent on the previous connection

  LoopbackServer() {
    listener = socket(AF_INET, SOCK_STREAM, 0);
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
    if (listener >= 0) close(listener);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(ntohs(address.sin_port)); }

  // The kernel completes a loopback handshake inside connect(), so the connection is already
  // waiting here; the reply is queued before curl sends its request.
  bool accept_and_reply() {
    accepted = accept(listener, nullptr, nullptr);
    return accepted >= 0 &&
           write(accepted, kReply, sizeof kReply - 1) == static_cast<ssize_t>(sizeof kReply - 1);
  }

  void read_request_and_close() {
    char buffer[4096];
    last_request.clear();
    for (ssize_t n; (n = recv(accepted, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;) {
      last_request.append(buffer, static_cast<std::size_t>(n));
    }
    close(accepted);
    accepted = -1;
  }
};

// CURLOPT_PREREQFUNCTION: curl is connected and about to send the request.
int on_connected(void* user, char*, char*, int, int) {
  return static_cast<LoopbackServer*>(user)->accept_and_reply() ? CURL_PREREQFUNC_OK
                                                                : CURL_PREREQFUNC_ABORT;
}

size_t discard(char*, size_t size, size_t count, void*) {
  return size * count;
}

struct CurlPut {
  CURL* easy = curl_easy_init();
  LoopbackServer& server;

  CurlPut(const HttpRequest& request, LoopbackServer& loopback) : server(loopback) {
    const std::string url = Signer::url(request, "http");
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, kBody);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(std::strlen(kBody)));
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_connected);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, &server);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);  // a fresh connection, a fresh reply
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  }
  ~CurlPut() { curl_easy_cleanup(easy); }

  bool perform(curl_slist* headers) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    long status = 0;
    const bool ok = curl_easy_perform(easy) == CURLE_OK &&
                    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                    status == 200;
    server.read_request_and_close();
    return ok;
  }
};

curl_slist* to_slist(const HttpRequest& request) {
  curl_slist* list = nullptr;
  std::string line;
  for (const auto& [name, value] : request.headers) {
    line.assign(name).append(": ").append(value);
    list = curl_slist_append(list, line.c_str());
  }
  return list;
}

// The request aimed at the loopback server, minus the header curl sets itself from the body.
HttpRequest for_curl(HttpRequest request, const LoopbackServer& server) {
  request.host = server.host();
  std::erase_if(request.headers, [](const auto& h) { return h.first == "Content-Length"; });
  return request;
}

std::string signed_headers_in(const std::string& raw_request) {
  const std::size_t at = raw_request.find("SignedHeaders=");
  if (at == std::string::npos) return "(none)";
  return raw_request.substr(at + 14, raw_request.find(',', at) - at - 14);
}

void BM_Curl_PlainPresignedHeaders(benchmark::State& state) {
  LoopbackServer server;
  HttpRequest request = for_curl(typical_put(), server);
  make_signer().sign(request, Clock::now());
  curl_slist* headers = to_slist(request);
  CurlPut curl(request, server);
  for (auto _ : state) {
    if (!curl.perform(headers)) state.SkipWithError("curl transfer failed");
  }
  curl_slist_free_all(headers);
}
BENCHMARK(BM_Curl_PlainPresignedHeaders);

void BM_Curl_AwsSigv4(benchmark::State& state) {
  LoopbackServer server;
  HttpRequest request = for_curl(typical_put(), server);
  curl_slist* headers = to_slist(request);
  CurlPut curl(request, server);
  curl_easy_setopt(curl.easy, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
  curl_easy_setopt(curl.easy, CURLOPT_USERNAME, "AKIAPINDECKTEST00001");
  curl_easy_setopt(curl.easy, CURLOPT_PASSWORD, "pindeck/secret+KEY/ExampleOnly0123456789ab");
  for (auto _ : state) {
    if (!curl.perform(headers)) state.SkipWithError("curl transfer failed");
  }
  state.SetLabel("curl signed " + signed_headers_in(server.last_request));
  curl_slist_free_all(headers);
}
BENCHMARK(BM_Curl_AwsSigv4);

void BM_Curl_OurSigner(benchmark::State& state) {
  const Signer signer = make_signer();
  LoopbackServer server;
  HttpRequest request = for_curl(typical_put(), server);
  CurlPut curl(request, server);
  for (auto _ : state) {
    signer.sign(request, Clock::now());
    curl_slist* headers = to_slist(request);
    if (!curl.perform(headers)) state.SkipWithError("curl transfer failed");
    curl_slist_free_all(headers);
  }
  state.SetLabel("we signed " + signed_headers_in(server.last_request));
}
BENCHMARK(BM_Curl_OurSigner);

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
