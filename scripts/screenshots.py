"""Retake the README's screenshots of the work pages from a running `make dev`:

    make dev                                   # in one terminal
    uv run python scripts/screenshots.py       # in another

Signs in with the dev keys, opens the staff queue, the first case on it and the partner
board, and writes docs/screenshots/*.png (Debian's chromium, 1280 wide)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from civic_testing.browser import CHROMIUM, CHROMIUM_ARGS

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8001"
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def sign_in(page: Page, path: str, label: str, key: str) -> None:
    page.goto(f"{BASE}{path}")
    page.get_by_label(label).fill(key)
    page.get_by_role("button", name="Sign in").click()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        staff = browser.new_page(viewport={"width": 1280, "height": 1000})
        sign_in(staff, "/staff/sign-in", "Staff API key", "civic_dev_staff_key")
        staff.goto(f"{BASE}/staff/queue")
        staff.screenshot(path=OUT / "staff-queue.png")
        staff.locator("tbody th a").first.click()
        staff.screenshot(path=OUT / "case-page.png")
        partner = browser.new_page(viewport={"width": 1280, "height": 1000})
        sign_in(partner, "/partner/sign-in", "Partner API key", "civic_dev_partner_key")
        partner.screenshot(path=OUT / "partner-board.png")
        browser.close()
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} in {OUT}")


if __name__ == "__main__":
    main()
