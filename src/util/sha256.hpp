// SPDX-License-Identifier: Apache-2.0
// SHA-256 on OpenSSL 3's EVP interface: one-shot digests and a streaming digest for data that
// arrives in pieces (a file read block by block, a body being streamed). Failures throw
// Error(Errc::internal) (see openssl_error.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace pindeck::util {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
// Lower-case hex of the digest (64 characters).
std::string sha256_hex(std::string_view data);

// The digest's bytes as a string_view, for feeding one digest into another function.
inline std::string_view as_view(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  void update(std::span<const std::byte> data) { update(data.data(), data.size()); }
  // The digest of everything passed to update(); the object then starts over, empty.
  Sha256Digest finish();

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

}  // namespace pindeck::util
