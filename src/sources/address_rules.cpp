// SPDX-License-Identifier: Apache-2.0
#include "sources/address_rules.hpp"

#include <array>
#include <cstdint>

namespace pindeck::sources {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

struct V4Range {
  std::uint32_t first;
  int prefix;
  const char* rule;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

// Broadcast comes before reserved (240.0.0.0/4), which contains it, so it gets its own name.
constexpr std::array kV4Ranges{
    V4Range{v4(255, 255, 255, 255), 32, "broadcast (255.255.255.255)"},
    V4Range{v4(0, 0, 0, 0), 8, "this network (0.0.0.0/8)"},
    V4Range{v4(10, 0, 0, 0), 8, "private (10.0.0.0/8)"},
    V4Range{v4(100, 64, 0, 0), 10, "shared address space (100.64.0.0/10, CGNAT)"},
    V4Range{v4(127, 0, 0, 0), 8, "loopback (127.0.0.0/8)"},
    V4Range{v4(169, 254, 0, 0), 16, "link-local (169.254.0.0/16, cloud metadata)"},
    V4Range{v4(172, 16, 0, 0), 12, "private (172.16.0.0/12)"},
    V4Range{v4(192, 168, 0, 0), 16, "private (192.168.0.0/16)"},
    V4Range{v4(224, 0, 0, 0), 4, "multicast (224.0.0.0/4)"},
    V4Range{v4(240, 0, 0, 0), 4, "reserved (240.0.0.0/4)"},
};

std::optional<std::string> refusal_of_v4(const address_v4& address) {
  const std::uint32_t bits = address.to_uint();
  for (const V4Range& range : kV4Ranges) {
    const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
    if ((bits & mask) == range.first) return range.rule;
  }
  return std::nullopt;
}

address_v4 v4_at(const address_v6::bytes_type& bytes, std::size_t offset) {
  return address_v4(address_v4::bytes_type{bytes[offset], bytes[offset + 1], bytes[offset + 2],
                                           bytes[offset + 3]});
}

bool all_zero(const address_v6::bytes_type& bytes, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

// The rule of an IPv4 address carried in an IPv6 form, prefixed with that form's name. Forms that
// only carry IPv4 (mapped, compatible) are for talking to that IPv4 address; NAT64 and 6to4 reach
// it through a translator or relay, which would do the connecting for us.
std::optional<std::string> embedded(const char* form, const address_v4& inner) {
  std::optional<std::string> rule = refusal_of_v4(inner);
  if (!rule) return std::nullopt;
  return std::string(form) + " " + inner.to_string() + ": " + *rule;
}

std::optional<std::string> refusal_of_v6(const address_v6& address) {
  const address_v6::bytes_type bytes = address.to_bytes();
  if (address.is_unspecified()) return "unspecified (::)";
  if (address.is_loopback()) return "loopback (::1)";
  if (address.is_v4_mapped()) return embedded("IPv4-mapped", v4_at(bytes, 12));
  if (all_zero(bytes, 0, 12)) {
    // Deprecated (RFC 4291) and never published for a real host, so refused whatever it holds.
    std::optional<std::string> rule = embedded("IPv4-compatible", v4_at(bytes, 12));
    return rule ? rule : "IPv4-compatible (::/96, deprecated)";
  }
  if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b &&
      all_zero(bytes, 4, 12)) {
    return embedded("NAT64 (64:ff9b::/96)", v4_at(bytes, 12));
  }
  if (bytes[0] == 0x20 && bytes[1] == 0x02) return embedded("6to4 (2002::/16)", v4_at(bytes, 2));
  if ((bytes[0] & 0xfe) == 0xfc) return "private (fc00::/7, unique local)";
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return "link-local (fe80::/10)";
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) return "site-local (fec0::/10, deprecated)";
  if (bytes[0] == 0xff) return "multicast (ff00::/8)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> refusal_of(const boost::asio::ip::address& address) {
  if (address.is_v4()) return refusal_of_v4(address.to_v4());
  return refusal_of_v6(address.to_v6());
}

}  // namespace pindeck::sources
