// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 on OpenSSL 3's EVP_MAC interface, shaped for SigV4: a prepared key that is cheap to
// reuse. SHA-256 itself is util/sha256.hpp.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/sha256.hpp"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace pindeck::s3::crypto {

// An HMAC-SHA256 is as long as a SHA-256 digest.
using Digest = util::Sha256Digest;

Digest hmac_sha256(std::string_view key, std::string_view data);

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
