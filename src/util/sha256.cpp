// SPDX-License-Identifier: Apache-2.0
#include "util/sha256.hpp"

#include <openssl/evp.h>

#include "util/hex.hpp"
#include "util/openssl_error.hpp"

namespace pindeck::util {
namespace {

// Fetching an algorithm is a name lookup in the provider registry; done once per process, not
// once per digest (the implicit fetch behind EVP_sha256() would repeat it on every init).
const EVP_MD* sha256_md() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw_openssl_error("fetching SHA256");
    return fetched;
  }();
  return md;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest digest;
  if (EVP_Digest(data.data(), data.size(), digest.data(), nullptr, sha256_md(), nullptr) != 1) {
    throw_openssl_error("SHA-256");
  }
  return digest;
}

std::string sha256_hex(std::string_view data) {
  return to_hex(sha256(data));
}

void Sha256::Free::operator()(EVP_MD_CTX* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1) {
    throw_openssl_error("SHA-256 init");
  }
}

void Sha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw_openssl_error("SHA-256 update");
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest;
  if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), nullptr) != 1 ||
      EVP_DigestInit_ex2(ctx_.get(), nullptr, nullptr) != 1) {
    throw_openssl_error("SHA-256 final");
  }
  return digest;
}

}  // namespace pindeck::util
