// SHA-256 and HMAC-SHA256 on OpenSSL 3's EVP interfaces, shaped for SigV4: one-shot digests,
// a streaming digest for request bodies, and a prepared HMAC key that is cheap to reuse.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace pindeck::s3::crypto {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hex of a digest (64 characters).
std::string to_hex(const Digest& digest);
void append_hex(std::string& out, const Digest& digest);

inline std::string_view as_view(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// SHA-256 of data that arrives in pieces (a file read block by block, a body being streamed).
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest of everything passed to update(); the object then starts over, empty.
  Digest finish();

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

// An HMAC-SHA256 key set up once (its inner and outer pads hashed) so that each use only hashes
// the message. Safe to use from several threads at once: each use takes a context of its own
// from a small pool (a fresh copy of the prepared one when the pool is empty) and gives it back.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) = delete;

  Digest mac(std::string_view data) const;

 private:
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  using Context = std::unique_ptr<EVP_MAC_CTX, Free>;

  Context prepared_;
  mutable std::mutex idle_mutex_;
  mutable std::vector<Context> idle_;
};

}  // namespace pindeck::s3::crypto
