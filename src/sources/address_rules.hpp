// SPDX-License-Identifier: Apache-2.0
// The address rules of the safe fetcher (DESIGN §7): which IP addresses a URL given by a user, a
// feed or an export may never make the library connect to (loopback, private networks, link-local
// with the cloud metadata service, multicast, ...), so that a source cannot reach what sits behind
// the host's firewall (SSRF).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>

namespace pindeck::sources {

// The rule that refuses connecting to `address` (e.g. "loopback (127.0.0.0/8)", "private
// (10.0.0.0/8)", "link-local (169.254.0.0/16, cloud metadata)"), or nullopt when the address is
// public. IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) name
// the embedded address's rule.
std::optional<std::string> refusal_of(const boost::asio::ip::address& address);

}  // namespace pindeck::sources
