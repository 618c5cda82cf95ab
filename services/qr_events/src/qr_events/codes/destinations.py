"""Where a code may send people: the intake form (with attribution), or an https page on
an allow-listed council domain. A sticker pasted over a poster can point anywhere, but a
code made here can't be turned into a phishing link."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import AnyHttpUrl, TypeAdapter

from civic.errors import InvalidInput

INTAKE_FORM = "intake_form"
URL = "url"
DEV_HTTP_HOSTS = ("127.0.0.1", "localhost")
MAX_URL_LENGTH = 2000
_URL = TypeAdapter(AnyHttpUrl)  # what the qr.codes event will demand of it


def _bad(detail: str, slug: str) -> InvalidInput:
    return InvalidInput("Destination refused", detail, slug=slug)


def attribution_source(short_code: str) -> str:
    """The `source` case intake records; it matches case intake's slug pattern."""
    return f"qr-{short_code.lower()}"


@dataclass(frozen=True)
class Destinations:
    intake_form_url: str
    allowed_domains: tuple[str, ...]
    allow_dev_http: bool = False

    def check(self, kind: str, url: str | None) -> str | None:
        """The URL to store for a destination (None for the intake form), or InvalidInput
        naming the field."""
        if kind == INTAKE_FORM:
            if url:
                raise _bad("destination.url must be empty for the intake form",
                                   slug="destination-url")
            return None
        if kind != URL or not url:
            raise _bad("destination needs kind 'intake_form', or kind 'url' and a url",
                               slug="destination-url")
        if len(url) > MAX_URL_LENGTH:
            raise _bad(f"destination.url is longer than {MAX_URL_LENGTH} characters",
                               slug="destination-url")
        if urlsplit(url).scheme.lower() not in ("https", "http"):
            raise _bad("destination.url must start with https://", "destination-url")
        if "\\" in url or any(ord(c) < 33 for c in url):
            raise _bad("destination.url must not contain backslashes, spaces or control "
                       "characters", "destination-url")
        try:
            # Check the URL as it will be published and followed: pydantic's normal form
            # (so no reading of the host differs between the check and the redirect).
            url = str(_URL.validate_python(url))
            parts = urlsplit(url)
            parts.port  # noqa: B018 - urlsplit checks the port only when asked
        except ValueError:
            raise _bad("destination.url is not a valid URL", "destination-url") from None
        host = (parts.hostname or "").lower().rstrip(".")
        plain_http_ok = self.allow_dev_http and host in DEV_HTTP_HOSTS
        if parts.scheme != "https" and not (parts.scheme == "http" and plain_http_ok):
            raise _bad("destination.url must start with https://", "destination-url")
        if parts.username or parts.password:
            raise _bad("destination.url must not carry a user name or password",
                               slug="destination-url")
        if not plain_http_ok and not self.allowed(host):
            raise _bad(
                f"destination.url's host {host or '(none)'} is not on the allow-list "
                f"({', '.join(self.allowed_domains)}); ask ops to add a council domain",
                slug="destination-not-allowed")
        return urlunsplit(parts)

    def allowed(self, host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def resolve(self, kind: str, url: str | None, short_code: str) -> str:
        """The URL a scan lands on."""
        if kind == INTAKE_FORM:
            parts = urlsplit(self.intake_form_url)
            query = "&".join(q for q in (parts.query,
                                         urlencode({"source": attribution_source(short_code)}))
                             if q)
            return urlunsplit(parts._replace(query=query))
        assert url is not None
        return url
