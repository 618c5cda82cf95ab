"""Dead ends are never dead: a code that leads nowhere (expired, not yet valid, retired,
unknown or mistyped) lands on a helpful page with the right status, the helpline, the
online form and any replacement, and never a bare 404 or the raw text of the URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from civic.contracts.qr import CODE_ALPHABET, ScanOutcome
from civic.http.auth import DEV_KEYS
from qr_events.codes.identifiers import new_code
from qr_events.scans import pages
from qr_events.scans.pages import dead_end_page, tel_href, when

STAFF = {"Authorization": f"Bearer {DEV_KEYS['staff.demo'][1]}"}
HELP = "https://help.camden.example/request-help"
PHONE = "020 7974 4444"
DEAD_ENDS = [(ScanOutcome.UNKNOWN, 404), (ScanOutcome.NOT_YET_VALID, 404),
             (ScanOutcome.EXPIRED, 410), (ScanOutcome.RETIRED, 410)]
HEADINGS = {ScanOutcome.EXPIRED: "This code has expired",
            ScanOutcome.NOT_YET_VALID: "This code is not in use yet",
            ScanOutcome.RETIRED: "This code is no longer in use",
            ScanOutcome.UNKNOWN: "We cannot find that code"}


class _Page(HTMLParser):
    """The parts of a page the tests read: headings, links by text, landmarks."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.h1: list[str] = []
        self.links: dict[str, str] = {}
        self._in: tuple[str, str] | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h1", "a"):
            self._in, self._text = (tag, dict(attrs).get("href") or ""), ""

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[0] == tag:
            text = " ".join(self._text.split())
            self.h1.append(text) if tag == "h1" else self.links.update({text: self._in[1]})
            self._in = None

    def handle_data(self, data: str) -> None:
        self._text += data


def _render(outcome: ScanOutcome, **given: Any) -> Any:
    args: dict[str, Any] = {"code": None, "replacement_url": None, "replacement_code": None,
                            "help_url": HELP, "council_name": "London Borough of Camden",
                            "helpline_phone": PHONE}
    return dead_end_page(outcome, **(args | given))


def _assert_helpful(body: str, heading: str) -> _Page:
    page = _Page(body)
    assert page.h1 == [heading]
    assert '<html lang="en-GB">' in body
    assert {"header", "main", "footer"} <= set(page.tags)
    assert page.links["Ask for help online"] == HELP
    assert page.links[PHONE] == "tel:+442079744444"
    return page


@pytest.mark.parametrize(("outcome", "status"), DEAD_ENDS)
def test_each_dead_end_is_a_whole_helpful_page(outcome: ScanOutcome, status: int) -> None:
    """Mutations caught: the phone number dropped from the template (no link named
    020 7974 4444), and a bare ``HTMLResponse("", 404)`` (no heading)."""
    code = new_code()
    response = _render(outcome, code=code)
    body = response.body.decode()
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-type"].startswith("text/html")
    _assert_helpful(body, HEADINGS[outcome])
    assert code in body
    assert "<script" not in body and "//" not in body.split("<body>")[0]  # nothing external


def test_a_retired_code_links_to_its_replacement() -> None:
    """Mutation caught: the replacement link pointed at the help form instead of the
    replacement's short URL."""
    old, new = new_code(), new_code()
    response = _render(ScanOutcome.RETIRED, code=old, replacement_code=new,
                       replacement_url=f"https://qr.camden.example/q/{new}")
    page = _assert_helpful(response.body.decode(), "This code has been replaced")
    assert page.links[f"Go to the new code, {new}"] == f"https://qr.camden.example/q/{new}"
    assert f"qr.camden.example/q/{new}" in response.body.decode()


def test_an_unreadable_code_is_never_echoed() -> None:
    """Mutation caught: rendering ``code`` unchecked (the page wrote back the script)."""
    for code in (None, "<script>alert(1)</script>", "abc"):
        response = _render(ScanOutcome.UNKNOWN, code=code)
        body = response.body.decode()
        _assert_helpful(body, "We could not read that code")
        assert "script>" not in body and "abc" not in body.lower().split("<main")[1]


def test_a_replacement_link_must_be_a_web_address() -> None:
    response = _render(ScanOutcome.RETIRED, code=new_code(), replacement_code=None,
                       replacement_url="javascript:alert(1)")
    assert "javascript" not in response.body.decode()


def test_a_redirect_is_not_a_dead_end() -> None:
    with pytest.raises(ValueError, match="not a dead end"):
        _render(ScanOutcome.REDIRECTED)


def test_not_yet_valid_says_when_in_london_time() -> None:
    start = datetime(2026, 12, 1, tzinfo=ZoneInfo("Europe/London"))
    body = _render(ScanOutcome.NOT_YET_VALID, code=new_code(), valid_from=start).body.decode()
    assert "starts working on 1 December 2026" in body
    # British Summer Time: 23:00 UTC on 31 May is midnight on 1 June in London
    assert when(datetime(2026, 5, 31, 23, tzinfo=UTC)) == "on 1 June 2026"
    assert when(datetime(2026, 6, 1, 8, 30, tzinfo=UTC)) == "at 9:30am on 1 June 2026"
    assert when(datetime(2026, 1, 5, 12, tzinfo=UTC)) == "at midday on 5 January 2026"
    assert when(datetime(2026, 1, 5, 17, tzinfo=UTC)) == "at 5pm on 5 January 2026"


def test_the_helpline_dials_from_any_phone() -> None:
    assert tel_href("020 7974 4444") == "tel:+442079744444"
    assert tel_href("+44 (0)20 7974 4444") == "tel:+442079744444"
    assert tel_href("0044 20 7974 4444") == "tel:+442079744444"


def test_the_stylesheet_the_page_names_is_there() -> None:
    body = _render(ScanOutcome.UNKNOWN).body.decode()
    assert 'href="/static/pages.css"' in body
    assert (Path(pages.__file__).parent / "static" / "pages.css").is_file()


# Through the real app: the scan endpoint, the code view and the settings together.

@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The pages don't depend on the database engine (storage runs on both elsewhere)."""
    return f"sqlite:///{tmp_path}/pages.db"


def _typo(code: str) -> str:
    """One character changed: the check character must catch it."""
    wrong = next(c for c in CODE_ALPHABET if c != code[2])
    return code[:2] + wrong + code[3:]


def _scan(client: TestClient, code: str) -> tuple[Any, _Page]:
    response = client.get(f"/q/{code}", follow_redirects=False)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    return response, _Page(response.text)


def test_dead_ends_through_the_app(client: TestClient,
                                   make_code: Callable[..., dict[str, Any]]) -> None:
    """Mutation caught: ``dead_end_page`` returning a bare ``HTMLResponse("", 404)``."""
    now = datetime.now(UTC)
    expired = make_code(valid_from=(now - timedelta(days=2)).isoformat(),
                        valid_until=(now - timedelta(days=1)).isoformat())["code"]
    starts = datetime(now.year + 1, 12, 1, tzinfo=ZoneInfo("Europe/London"))
    early = make_code(valid_from=starts.isoformat(),
                      valid_until=(starts + timedelta(days=90)).isoformat())["code"]
    live = make_code()
    unknown = new_code()

    response, page = _scan(client, expired)
    assert response.status_code == 410 and page.h1 == ["This code has expired"]
    response, page = _scan(client, early)
    assert response.status_code == 404 and page.h1 == ["This code is not in use yet"]
    assert f"starts working on 1 December {now.year + 1}" in response.text
    response, page = _scan(client, unknown)
    assert response.status_code == 404 and page.h1 == ["We cannot find that code"]
    assert unknown in response.text
    typed = _typo(live["code"])
    response, page = _scan(client, typed)
    assert response.status_code == 404 and page.h1 == ["We could not read that code"]
    assert typed not in response.text
    for page in (_Page(client.get(f"/q/{c}").text) for c in (expired, early, unknown, typed)):
        assert page.links["Ask for help online"] == client.app.state.container.settings \
            .intake_form_url  # type: ignore[attr-defined]
        assert page.links["020 7974 4444"] == "tel:+442079744444"


def test_a_retired_code_leads_to_its_replacement_through_the_app(
        client: TestClient, make_code: Callable[..., dict[str, Any]]) -> None:
    """Mutation caught: the replacement link pointed at the help form instead of the
    replacement's short URL."""
    old, new = make_code(), make_code(print_batch="libraries-002")
    retired = client.post(f"/v1/codes/{old['code']}/retire",
                          json={"replacement": new["code"]}, headers=STAFF)
    assert retired.status_code == 200, retired.text

    response, page = _scan(client, old["code"])
    assert response.status_code == 410
    assert page.h1 == ["This code has been replaced"]
    assert page.links[f"Go to the new code, {new['code']}"] == new["short_url"]
    onward = client.get(f"/q/{new['code']}", follow_redirects=False)
    assert onward.status_code == 302
    assert onward.headers["location"] == new["destination"]["url"]


def test_whatever_the_path_holds_is_never_written_back(client: TestClient) -> None:
    # no "/" in it: Starlette decodes %2F, and a second path segment is another route
    response, page = _scan(client, "%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404 and page.h1 == ["We could not read that code"]
    assert "onerror" not in response.text and "alert" not in response.text


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/pages.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
