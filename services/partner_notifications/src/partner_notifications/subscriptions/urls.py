"""Whether a URL may be a partner's endpoint, decided when it is registered. The check
that counts is made again on every attempt, by the address the name resolves to
(``sending/egress.py``); this one turns away what can never work, with a reason."""

from __future__ import annotations

from collections.abc import Collection
from ipaddress import IPv4Address, IPv6Address, ip_address

import httpx

from civic.errors import InvalidInput
from partner_notifications.sending.addresses import host_refusal

Address = IPv4Address | IPv6Address
MAX_LENGTH = 2000  # subscriptions.url


def _bad(title: str, detail: str, slug: str) -> InvalidInput:
    return InvalidInput(title, f"url: {detail}", slug=slug)


def _allowed(host: str, dev_allowed: Collection[Address]) -> bool:
    try:
        return ip_address(host.strip("[]")) in dev_allowed
    except ValueError:
        return False


def check_url(url: str, dev_allowed: Collection[Address]) -> str:
    """The URL as it will be called, or InvalidInput saying what is wrong with it."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise _bad("Invalid URL", f"not a URL: {exc}", "invalid-url") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise _bad("Invalid URL", "an endpoint is an https:// URL with a host name",
                   "invalid-url")
    if parsed.userinfo:
        raise _bad("Invalid URL", "must not carry a user name or password (they would sit "
                   "in logs); authenticate requests by their signature", "invalid-url")
    if parsed.fragment:
        raise _bad("Invalid URL", "must not have a #fragment", "invalid-url")
    development = _allowed(parsed.host, dev_allowed)
    if parsed.scheme == "http" and not development:
        raise _bad("HTTPS required", "plain http is only for development addresses; "
                   "use https", "https-required")
    if not development and (reason := host_refusal(parsed.host)):
        raise _bad("Endpoint not allowed", f"{reason}; webhooks go only to public "
                   "addresses", "endpoint-not-allowed")
    normalised = str(parsed)
    if len(normalised) > MAX_LENGTH:  # IDNA and percent-encoding can lengthen it
        raise _bad("URL too long", f"{len(normalised)} characters once encoded; at most "
                   f"{MAX_LENGTH}", "invalid-url")
    return normalised
