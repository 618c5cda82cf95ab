"""Debian's chromium under Playwright, axe-core accessibility checks, and test artefacts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
# Chromium's own background traffic is refused by a closed network; keep it quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium under Playwright. Under CI=true a missing browser fails the run;
    elsewhere the browser tests skip and say why."""
    if not os.path.exists(CHROMIUM):
        message = (f"{CHROMIUM} not found: install Debian's chromium "
                   "(scripts/ensure-test-system-deps.sh does, as root)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def artefact_path(name: str) -> str:
    """Where tests keep screenshots and reports for people to look at."""
    from pathlib import Path

    folder = Path(os.environ.get("CIVIC_TEST_ARTEFACTS", "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules and best practices on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]]
