// SPDX-License-Identifier: Apache-2.0
// The address rules of the safe fetcher, checked on addresses only: nothing here connects.
#include "sources/address_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pindeck::sources {
namespace {

std::optional<std::string> rule_for(const std::string& text) {
  return refusal_of(boost::asio::ip::make_address(text));
}

void expect_refused(const std::string& address, const std::string& rule_part) {
  const std::optional<std::string> rule = rule_for(address);
  ASSERT_TRUE(rule.has_value()) << address << " passed";
  EXPECT_NE(rule->find(rule_part), std::string::npos) << address << ": " << *rule;
}

void expect_public(const std::string& address) {
  const std::optional<std::string> rule = rule_for(address);
  EXPECT_FALSE(rule.has_value()) << address << " refused: " << rule.value_or("");
}

TEST(AddressRules, RefusesEachIpv4RangeFromItsFirstToItsLastAddress) {
  const struct {
    const char* first;
    const char* last;
    const char* rule;
  } ranges[] = {
      {"0.0.0.0", "0.255.255.255", "this network (0.0.0.0/8)"},
      {"10.0.0.0", "10.255.255.255", "private (10.0.0.0/8)"},
      {"100.64.0.0", "100.127.255.255", "100.64.0.0/10, CGNAT"},
      {"127.0.0.0", "127.255.255.255", "loopback (127.0.0.0/8)"},
      {"169.254.0.0", "169.254.255.255", "link-local (169.254.0.0/16"},
      {"172.16.0.0", "172.31.255.255", "private (172.16.0.0/12)"},
      {"192.168.0.0", "192.168.255.255", "private (192.168.0.0/16)"},
      {"224.0.0.0", "239.255.255.255", "multicast (224.0.0.0/4)"},
      {"240.0.0.0", "255.255.255.254", "reserved (240.0.0.0/4)"},
  };
  for (const auto& range : ranges) {
    expect_refused(range.first, range.rule);
    expect_refused(range.last, range.rule);
  }
  expect_refused("255.255.255.255", "broadcast");
}

TEST(AddressRules, PassesTheAddressesJustOutsideEachRange) {
  for (const char* address :
       {"1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
        "192.167.255.255", "192.169.0.0", "223.255.255.255", "8.8.8.8", "93.184.215.14"}) {
    expect_public(address);
  }
}

TEST(AddressRules, NamesTheCloudMetadataAddress) {
  expect_refused("169.254.169.254", "cloud metadata");
}

TEST(AddressRules, RefusesIpv6LoopbackUnspecifiedUniqueLocalLinkLocalAndMulticast) {
  expect_refused("::1", "loopback (::1)");
  expect_refused("0:0:0:0:0:0:0:1", "loopback (::1)");
  expect_refused("::", "unspecified");
  expect_refused("fc00::", "fc00::/7");
  expect_refused("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7");
  expect_refused("fe80::1", "link-local (fe80::/10)");
  expect_refused("febf:ffff::1", "link-local (fe80::/10)");
  expect_refused("fec0::1", "site-local");
  expect_refused("ff02::1", "multicast (ff00::/8)");
  expect_refused("ff0e::1", "multicast (ff00::/8)");
}

TEST(AddressRules, PassesPublicIpv6) {
  for (const char* address : {"2001:4860:4860::8888", "2606:4700:4700::1111", "fbff:ffff::1",
                              "2a00:1450:4007:80e::200e"}) {
    expect_public(address);
  }
}

TEST(AddressRules, RefusesIpv4MappedFormsNamingTheEmbeddedRule) {
  expect_refused("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1: loopback (127.0.0.0/8)");
  expect_refused("::ffff:7f00:1", "loopback (127.0.0.0/8)");
  expect_refused("::ffff:10.1.2.3", "private (10.0.0.0/8)");
  expect_refused("::ffff:172.16.0.1", "private (172.16.0.0/12)");
  expect_refused("::ffff:192.168.1.1", "private (192.168.0.0/16)");
  expect_refused("::ffff:100.64.0.1", "CGNAT");
  expect_refused("::ffff:169.254.169.254", "cloud metadata");
  expect_refused("::ffff:0.0.0.0", "this network");
  expect_refused("::ffff:224.0.0.1", "multicast");
  expect_refused("::ffff:255.255.255.255", "broadcast");
  expect_public("::ffff:8.8.8.8");
}

TEST(AddressRules, RefusesIpv4CompatibleForms) {
  expect_refused("::127.0.0.1", "IPv4-compatible 127.0.0.1: loopback");
  expect_refused("::10.0.0.1", "private (10.0.0.0/8)");
  expect_refused("::169.254.169.254", "cloud metadata");
  expect_refused("::192.168.0.1", "private (192.168.0.0/16)");
  // Deprecated and never a real host's address, so refused even around a public one.
  expect_refused("::8.8.8.8", "IPv4-compatible (::/96");
}

TEST(AddressRules, RefusesNat64And6to4FormsOfRefusedIpv4) {
  expect_refused("64:ff9b::127.0.0.1", "NAT64 (64:ff9b::/96) 127.0.0.1: loopback");
  expect_refused("64:ff9b::a9fe:a9fe", "cloud metadata");
  expect_public("64:ff9b::808:808");
  expect_refused("2002:7f00:1::", "6to4 (2002::/16) 127.0.0.1: loopback");
  expect_refused("2002:c0a8:101::1", "private (192.168.0.0/16)");
  expect_public("2002:808:808::1");
}

}  // namespace
}  // namespace pindeck::sources
