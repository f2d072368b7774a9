#include "file_facts.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace pindeck_cli {

namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

// An ISO-BMFF file (AVIF, HEIC): "ftyp" at offset 4, then the major brand and, after a version
// word, the compatible brands up to the end of the box.
std::optional<std::string> sniff_isobmff(std::string_view head) {
  if (head.size() < 16 || head.substr(4, 4) != "ftyp") return std::nullopt;
  auto box_size = (static_cast<std::size_t>(static_cast<unsigned char>(head[0])) << 24) |
                  (static_cast<std::size_t>(static_cast<unsigned char>(head[1])) << 16) |
                  (static_cast<std::size_t>(static_cast<unsigned char>(head[2])) << 8) |
                  static_cast<std::size_t>(static_cast<unsigned char>(head[3]));
  std::string_view major = head.substr(8, 4);
  if (major == "avif" || major == "avis") return "image/avif";
  for (std::string_view brand : {"heic", "heix", "hevc", "hevx", "heim", "heis"}) {
    if (major == brand) return "image/heic";
  }
  if (major != "mif1" && major != "msf1") return std::nullopt;
  std::size_t end = std::min(box_size, head.size());
  for (std::size_t at = 16; at + 4 <= end; at += 4) {
    if (head.substr(at, 4) == "avif") return "image/avif";
  }
  return "image/heic";
}

}  // namespace

std::optional<std::string> sniff_content_type(std::string_view head) {
  using namespace std::string_view_literals;
  if (head.starts_with("\xFF\xD8\xFF"sv)) return "image/jpeg";
  if (head.starts_with("\x89PNG\r\n\x1A\n"sv)) return "image/png";
  if (head.starts_with("GIF87a"sv) || head.starts_with("GIF89a"sv)) return "image/gif";
  if (head.size() >= 12 && head.starts_with("RIFF"sv) && head.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  if (head.starts_with("II*\0"sv) || head.starts_with("MM\0*"sv)) return "image/tiff";
  return sniff_isobmff(head);
}

FileFacts inspect_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw std::runtime_error(file.string() + ": no such file (or not a regular file)");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");

  std::unique_ptr<EVP_MD_CTX, DigestDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("cannot start a SHA-256 digest");
  }
  FileFacts facts;
  std::string head;
  std::array<char, 1 << 16> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    auto n = static_cast<std::size_t>(in.gcount());
    if (head.size() < 64) head.append(buffer.data(), std::min<std::size_t>(n, 64 - head.size()));
    EVP_DigestUpdate(ctx.get(), buffer.data(), n);
    facts.byte_size += static_cast<std::int64_t>(n);
  }
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  facts.sha256 = hex(digest.data(), length);
  facts.content_type = sniff_content_type(head);
  return facts;
}

std::string file_url(const std::filesystem::path& absolute) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : absolute.string()) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

}  // namespace pindeck_cli
