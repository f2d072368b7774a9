// SPDX-License-Identifier: Apache-2.0
#include "s3/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/openssl_error.hpp"

namespace pindeck::s3::crypto {
namespace {

// Fetched once per process, not once per key (see util/sha256.cpp).
EVP_MAC* hmac_mac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) util::throw_openssl_error("fetching HMAC");
    return fetched;
  }();
  return mac;
}

}  // namespace

Digest hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).mac(data);
}

void HmacSha256Key::Free::operator()(EVP_MAC_CTX* ctx) const {
  EVP_MAC_CTX_free(ctx);
}

HmacSha256Key::HmacSha256Key(std::string_view key) : prepared_(EVP_MAC_CTX_new(hmac_mac())) {
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (!prepared_ ||
      EVP_MAC_init(prepared_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    util::throw_openssl_error("HMAC-SHA256 init");
  }
}

HmacSha256Key::~HmacSha256Key() = default;

HmacSha256Key::HmacSha256Key(HmacSha256Key&& other) noexcept
    : prepared_(std::move(other.prepared_)), idle_(std::move(other.idle_)) {}

Digest HmacSha256Key::mac(std::string_view data) const {
  Context ctx;
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      ctx = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // A context from the pool is reset to the prepared key: with no key, HMAC's init starts over
  // from the pads it already holds.
  if (ctx ? EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1
          : !(ctx = Context(EVP_MAC_CTX_dup(prepared_.get())))) {
    util::throw_openssl_error("HMAC-SHA256 context");
  }
  Digest digest;
  std::size_t length = 0;
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), digest.data(), &length, digest.size()) != 1 ||
      length != digest.size()) {
    util::throw_openssl_error("HMAC-SHA256");
  }
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(ctx));
  return digest;
}

}  // namespace pindeck::s3::crypto
