"""Every range a webhook must never reach is refused, in every form, and public
addresses are not. Mutations seen to fail: dropping the 100.64.0.0/10 row, and judging a
6to4 or an IPv4-translated address without unwrapping the IPv4 address it carries."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from partner_notifications.sending.addresses import host_refusal, refusal

REFUSED = {
    "0.0.0.0": "this network", "0.1.2.3": "this network",
    "10.0.0.1": "private", "172.16.5.4": "private", "192.168.1.1": "private",
    "100.64.0.1": "carrier-grade", "100.100.100.200": "carrier-grade",
    "127.0.0.1": "loopback", "127.255.255.254": "loopback",
    "169.254.169.254": "metadata", "169.254.170.2": "link-local",
    "192.0.0.192": "IETF", "192.0.2.10": "documentation", "198.51.100.7": "documentation",
    "203.0.113.9": "documentation", "198.18.0.1": "benchmarking",
    "224.0.0.1": "multicast", "239.255.255.250": "multicast",
    "240.0.0.1": "reserved", "255.255.255.255": "reserved", "168.63.129.16": "Azure",
    "::": "unspecified", "::1": "loopback", "::127.0.0.1": "IPv4-compatible",
    "fc00::1": "unique local", "fd00:ec2::254": "unique local",
    "fe80::1": "link-local", "fec0::1": "site-local", "ff02::1": "multicast",
    "2001:db8::1": "documentation", "3fff::1": "documentation", "100::1": "discard",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": "Teredo",
    "64:ff9b:1::a00:1": "local-use NAT64",
    # IPv6 forms carrying a refused IPv4 address
    "::ffff:127.0.0.1": "IPv4-mapped form of 127.0.0.1, which is loopback",
    "::ffff:100.64.0.1": "IPv4-mapped form of 100.64.0.1",
    "::ffff:169.254.169.254": "IPv4-mapped form of 169.254.169.254",
    "2002:7f00:1::": "6to4 form of 127.0.0.1",
    "2002:a9fe:a9fe::1": "6to4 form of 169.254.169.254",
    "64:ff9b::7f00:1": "NAT64 form of 127.0.0.1",
    "64:ff9b::a00:1": "NAT64 form of 10.0.0.1",
    "::ffff:0:a9fe:a9fe": "IPv4-translated form of 169.254.169.254",
    "::ffff:0:7f00:1": "IPv4-translated form of 127.0.0.1",
    "64:ff9b:0:1::7f00:1": "network-specific prefix",
}
ALLOWED = ["8.8.8.8", "1.1.1.1", "151.101.0.81", "2606:4700:4700::1111",
           "::ffff:8.8.8.8", "::ffff:0:808:808", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("address,why", sorted(REFUSED.items()))
def test_refused(address: str, why: str) -> None:
    reason = refusal(ip_address(address))
    assert reason is not None and why in reason, (address, reason)


@pytest.mark.parametrize("address", ["2606:4700:4700::1111%eth0", "::ffff:8.8.8.8%eth0",
                                     "64:ff9b::808:808%1"])
def test_a_scoped_ipv6_address_is_refused(address: str) -> None:
    reason = refusal(ip_address(address))
    assert reason is not None and "scoped" in reason


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ip_address(address)) is None


@pytest.mark.parametrize("host", [
    "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.1",
    "017700000001", "0127.0.0.1", "0"])
def test_ipv4_in_other_spellings_is_refused_at_registration(host: str) -> None:
    reason = host_refusal(host)
    assert reason is not None and "non-standard spelling" in reason


@pytest.mark.parametrize("host,why", [
    ("127.0.0.1", "loopback"), ("[::1]", "loopback"), ("[::ffff:10.0.0.1]", "private"),
    ("localhost", "local or internal"), ("api.localhost", "local or internal"),
    ("metadata.google.internal", "local or internal"), ("printer.local", "local or internal"),
    ("LOCALHOST.", "local or internal"), ("ip6-localhost", "local or internal"),
    ("localhost.localdomain", "local or internal"), (" 127.0.0.1", "loopback"),
    ("\t127.1", "non-standard spelling"), ("a\x00b", "not a host name"),
    ("", "not a host name")])
def test_local_hosts_are_refused_at_registration(host: str, why: str) -> None:
    reason = host_refusal(host)
    assert reason is not None and why in reason


@pytest.mark.parametrize("host", ["partner.example.org", "8.8.8.8", "[2606:4700:4700::1111]"])
def test_names_and_public_addresses_pass_registration(host: str) -> None:
    assert host_refusal(host) is None
