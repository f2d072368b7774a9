#include "s3/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "pindeck/error.hpp"

namespace pindeck::s3::crypto {
namespace {

// OpenSSL's own reason for the last failure; it never contains key material or data.
[[noreturn]] void fail(const char* what) {
  std::string message = std::string("OpenSSL ") + what + " failed";
  if (unsigned long code = ERR_get_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  throw Error(Errc::internal, message);
}

// Fetching an algorithm is a name lookup in the provider registry; done once per process, not
// once per digest (implicit fetches through EVP_sha256() would repeat it on every init).
const EVP_MD* sha256_md() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) fail("fetching SHA256");
    return fetched;
  }();
  return md;
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) fail("fetching HMAC");
    return fetched;
  }();
  return mac;
}

}  // namespace

Digest sha256(std::string_view data) {
  Digest digest;
  if (EVP_Digest(data.data(), data.size(), digest.data(), nullptr, sha256_md(), nullptr) != 1) {
    fail("SHA-256");
  }
  return digest;
}

Digest hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).mac(data);
}

void append_hex(std::string& out, const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out.resize(start + 2 * digest.size());
  char* p = out.data() + start;
  for (unsigned char byte : digest) {
    *p++ = kHex[byte >> 4];
    *p++ = kHex[byte & 0x0f];
  }
}

std::string to_hex(const Digest& digest) {
  std::string out;
  append_hex(out, digest);
  return out;
}

void Sha256::Free::operator()(EVP_MD_CTX* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1) fail("SHA-256 init");
}

void Sha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx_.get(), data, size) != 1) fail("SHA-256 update");
}

Digest Sha256::finish() {
  Digest digest;
  if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), nullptr) != 1 ||
      EVP_DigestInit_ex2(ctx_.get(), nullptr, nullptr) != 1) {
    fail("SHA-256 final");
  }
  return digest;
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
    fail("HMAC-SHA256 init");
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
    fail("HMAC-SHA256 context");
  }
  Digest digest;
  std::size_t length = 0;
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), digest.data(), &length, digest.size()) != 1 ||
      length != digest.size()) {
    fail("HMAC-SHA256");
  }
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(ctx));
  return digest;
}

}  // namespace pindeck::s3::crypto
