"""Which addresses a webhook may reach: never the council's own network, the host it
runs on or a cloud's metadata service (server-side request forgery).

Python's ``is_global`` is not enough on its own: in 3.11.7 it calls multicast, 6to4,
NAT64 and 192.0.0.0/24 global, and 3.11.10 changed its tables, so the ranges are named
here and ``is_global`` is only the last net. IPv6 forms that carry an IPv4 address
(mapped, 6to4, NAT64) are judged by the address they carry. ``host_refusal`` is the
check when an endpoint is registered; the one that counts runs on the addresses a name
resolves to when the connection is made (``egress.py``).
"""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

_V4 = [(IPv4Network(net), why) for net, why in (
    ("0.0.0.0/8", "'this network'"), ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared carrier-grade NAT space (and Alibaba's metadata service)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (every major cloud's metadata service)"),
    ("172.16.0.0/12", "private"), ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"), ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"), ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved (and broadcast)"),
    ("168.63.129.16/32", "Azure's platform address"))]
_V6 = [(IPv6Network(net), why) for net, why in (
    ("::/128", "unspecified"), ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"), ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"), ("2001::/32", "Teredo tunnelling"),
    ("2001::/23", "IETF protocol assignments"), ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"), ("fc00::/7", "unique local (AWS's IPv6 metadata service)"),
    ("fe80::/10", "link-local"), ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
    # after /96 (unwrapped above) and /48: other prefix lengths embed the IPv4 elsewhere
    ("64:ff9b::/32", "NAT64 with a network-specific prefix length"))]
_NAT64 = IPv6Network("64:ff9b::/96")
_TRANSLATED = IPv6Network("::ffff:0:0:0/96")  # IPv4-translated (SIIT)
_NAMES = ("localhost", "ip6-localhost", "ip6-loopback", "localhost.localdomain")
_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


def refusal(address: IPv4Address | IPv6Address) -> str | None:
    """Why a webhook must not be sent to this address, or None if it may."""
    if isinstance(address, IPv6Address):
        if address.scope_id:
            return "a scoped IPv6 address (only meaningful on one network link)"
        embedded, form = _embedded_ipv4(address)
        if embedded is not None:
            reason = refusal(embedded)
            return f"{form} form of {embedded}, which is {reason}" if reason else None
    for network, why in (_V4 if isinstance(address, IPv4Address) else _V6):
        if address in network:
            return why
    if not address.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(address: IPv6Address) -> tuple[IPv4Address | None, str]:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "the IPv4-mapped"
    if address.sixtofour is not None:
        return address.sixtofour, "the 6to4"
    if address in _NAT64:
        return IPv4Address(address.packed[-4:]), "the NAT64"
    if address in _TRANSLATED:
        return IPv4Address(address.packed[-4:]), "the IPv4-translated"
    return None, ""


def host_refusal(host: str) -> str | None:
    """At registration: why a URL's host can never be a partner's endpoint, or None.
    ``host`` is the host as httpx parses the URL (``httpx.URL(url).host``: no port, IDNA
    applied). A name that passes is checked again, by the addresses it resolves to, on
    every attempt."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if not name or any(c.isspace() or ord(c) < 32 for c in name):
        return f"{host!r} is not a host name"
    try:
        address = ip_address(name)
    except ValueError:
        pass
    else:
        reason = refusal(address)
        return f"{name} is {reason}" if reason else None
    try:
        socket.inet_aton(name)
    except OSError:
        pass
    else:  # 2130706433, 0177.0.0.1, 0x7f.1, 127.1: an address in disguise
        return (f"{host} is an IPv4 address in a non-standard spelling; write the address "
                "in dotted decimal (or use a name)")
    if name in _NAMES or name.endswith(_SUFFIXES):
        return f"{host} names a local or internal host"
    return None
