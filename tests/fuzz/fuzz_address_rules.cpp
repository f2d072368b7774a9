// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the fetcher's address rules and the URL cleaning of the sources. The first
// 4 bytes are an IPv4 address and the next 16 an IPv6 address (missing bytes are zero); the whole
// input is also a pasted URL. An IPv6 form that carries an IPv4 address (IPv4-mapped, NAT64,
// 6to4) is refused exactly when that IPv4 address is, IPv4-compatible always, and an IPv6 address
// gets the same answer as its text read back; an unwrapped URL without white space is cleaned in
// one go, and a file name taken from a URL is one line without a slash.
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sources/address_rules.hpp"
#include "sources/source_url.hpp"

namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;
using pindeck::fuzz::require;
using pindeck::sources::refusal_of;

address v6_with(address_v6::bytes_type bytes, const address_v4::bytes_type& v4, std::size_t at) {
  std::copy(v4.begin(), v4.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
  return address_v6(bytes);
}

void check_addresses(const std::uint8_t* data, std::size_t size) {
  std::array<std::uint8_t, 20> raw{};
  std::copy_n(data, std::min(size, raw.size()), raw.begin());
  address_v4::bytes_type v4_bytes{};
  std::copy_n(raw.begin(), 4, v4_bytes.begin());
  address_v6::bytes_type v6_bytes{};
  std::copy_n(raw.begin() + 4, 16, v6_bytes.begin());

  const address v4{address_v4(v4_bytes)};
  const auto v4_rule = refusal_of(v4);
  require(!v4_rule || !v4_rule->empty(), "a refusal names its rule");

  const auto mapped = refusal_of(
      boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address_v4(v4_bytes)));
  require(mapped.has_value() == v4_rule.has_value(),
          "IPv4-mapped is refused exactly when its IPv4 address is");
  require(!mapped || mapped->find(*v4_rule) != std::string::npos,
          "IPv4-mapped names the IPv4 address's rule");

  address_v6::bytes_type nat64{0x00, 0x64, 0xff, 0x9b};
  require(refusal_of(v6_with(nat64, v4_bytes, 12)).has_value() == v4_rule.has_value(),
          "NAT64 is refused exactly when its IPv4 address is");

  // 6to4 keeps whatever subnet and interface bits follow the IPv4 address.
  address_v6::bytes_type six_to_four = v6_bytes;
  six_to_four[0] = 0x20;
  six_to_four[1] = 0x02;
  require(refusal_of(v6_with(six_to_four, v4_bytes, 2)).has_value() == v4_rule.has_value(),
          "6to4 is refused exactly when its IPv4 address is");

  require(refusal_of(v6_with({}, v4_bytes, 12)).has_value(), "IPv4-compatible is always refused");

  const address v6{address_v6(v6_bytes)};
  require(refusal_of(boost::asio::ip::make_address(v6.to_string())) == refusal_of(v6),
          "an IPv6 address read back from its text gets the same answer");
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void check_url_text(std::string_view text) {
  const std::string cleaned = pindeck::sources::normalise_source_url(text);
  require(cleaned.size() <= text.size(), "cleaning never adds");
  require(cleaned.empty() || (!is_space(cleaned.front()) && !is_space(cleaned.back())),
          "a cleaned URL is trimmed");
  // A URL in <> is taken as the brackets give it ("<<a>>" gives "<a>"), and punctuation after white
  // space stays ("a.jpg> )." gives "a.jpg>"); any other URL is cleaned in one go.
  if (!text.starts_with('<') && text.find_first_of(" \t\r\n\f\v") == std::string_view::npos) {
    require(pindeck::sources::normalise_source_url(cleaned) == cleaned,
            "a cleaned URL is cleaned already");
  }

  for (const char c : pindeck::sources::file_name_of_url(text)) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '/',
            "a file name is one line without a slash");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_addresses(data, size);
  check_url_text(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
