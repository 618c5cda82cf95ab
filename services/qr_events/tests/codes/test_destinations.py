"""The allow-list: a code may point at the intake form or at https pages of council
domains, never elsewhere. Mutation seen to fail: ``host.endswith(d)`` without the dot
(lets ``evilcamden.gov.uk`` through)."""

from __future__ import annotations

import pytest

from civic.errors import InvalidInput
from qr_events.codes.destinations import Destinations

ALLOWED = Destinations("https://intake.camden.gov.uk/request-help", ("camden.gov.uk",))


@pytest.mark.parametrize("url", ["https://www.camden.gov.uk/warm-spaces",
                                 "https://camden.gov.uk/", "https://a.b.camden.gov.uk/x?y=1"])
def test_council_pages_are_allowed(url: str) -> None:
    assert ALLOWED.check("url", url) == url


@pytest.mark.parametrize("url,says", [
    ("https://evilcamden.gov.uk/", "allow-list"),
    ("https://camden.gov.uk.evil.example/", "allow-list"),
    ("https://example.org/", "allow-list"),
    ("http://www.camden.gov.uk/", "https"),
    ("javascript:alert(1)", "https"),
    ("https://user:pw@www.camden.gov.uk/", "user name"),
    ("https://www.camden.gov.uk/" + "a" * 2000, "longer than"),
    ("https://evil.example\\.camden.gov.uk/", "backslash"),
    ("https://evil.example/ .camden.gov.uk", "spaces"),
    ("https://camden.gov.uk.evil.example./", "allow-list"),
    ("https://xn--camden-7ya.gov.uk/", "allow-list"),
    ("https://www.camden.gov.uk:99999/", "not a valid URL"),
])
def test_anything_else_is_refused_naming_the_field(url: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ALLOWED.check("url", url)
    assert "destination.url" in refused.value.detail and says in refused.value.detail


def test_what_is_checked_is_what_is_followed() -> None:
    """The URL is checked in the form the event publishes and the redirect follows, so
    a host can't read one way to the check and another to the browser. Mutation seen to
    fail: checking the raw URL with no backslash refusal (`evil.example\\.camden.gov.uk`
    passed as a subdomain, and the redirect went to evil.example)."""
    assert ALLOWED.check("url", "https://WWW.Camden.GOV.uk./x") == \
        "https://www.camden.gov.uk./x"
    assert ALLOWED.check("url", "https://www.camden.gov.uk") == "https://www.camden.gov.uk/"


def test_plain_http_only_for_loopback_in_development() -> None:
    dev = Destinations("http://127.0.0.1:8001/request-help", ("camden.gov.uk",),
                       allow_dev_http=True)
    assert dev.check("url", "http://127.0.0.1:8001/x") == "http://127.0.0.1:8001/x"
    with pytest.raises(InvalidInput):
        ALLOWED.check("url", "http://127.0.0.1:8001/x")


def test_the_intake_form_gets_the_code_as_its_source() -> None:
    assert ALLOWED.check("intake_form", None) is None
    assert ALLOWED.resolve("intake_form", None, "CAMDENW") == \
        "https://intake.camden.gov.uk/request-help?source=qr-camdenw"
    with_query = Destinations("https://x.camden.gov.uk/form?lang=en", ("camden.gov.uk",))
    assert with_query.resolve("intake_form", None, "CAMDENW").endswith(
        "?lang=en&source=qr-camdenw")
