"""The heat map in a real browser (Debian's chromium under Playwright): every area is
drawn with its value, the filter works with JavaScript off, the table carries the same
figures, axe-core finds no accessibility violations, and a screenshot is kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from civic.contracts.envelope import encode
from civic.kafka.producer import EventProducer
from civic.reference import geography
from civic_testing import LiveServer, artefact_path, axe_violations

from ..conftest import make_case

pytestmark = [pytest.mark.browser, pytest.mark.broker, pytest.mark.slow]
CAMDEN = geography()
# Two small areas in one ward (E05000137) no other test uses, with enough open cases to show.
HOT, WARM = "E01000908", "E01000909"


@pytest.fixture
def server(kafka_bootstrap: str, policy_file: Callable[..., Path],
           scoring_service: Callable[..., LiveServer]) -> LiveServer:
    live = scoring_service(policy_file())
    cases = ([make_case(lsoa_code=HOT, categories=["food", "medicine"]) for _ in range(30)]
             + [make_case(lsoa_code=WARM, categories=["food"]) for _ in range(12)])
    producer = EventProducer(kafka_bootstrap, client_id="test")
    assert all(producer.send_all([encode(c, source="urn:test") for c in cases]))
    producer.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        need = httpx.get(f"{live.url}/v1/areas/need", params={"level": "lsoa"})
        if need.status_code == 200 and any(
                f["id"] == HOT and (f["properties"]["open_cases"] or 0) >= 30
                for f in need.json()["features"]):
            return live
        time.sleep(0.3)
    raise AssertionError("area need never showed the cases")


def test_every_small_area_is_drawn_with_its_value_and_the_page_is_accessible(
        server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    features = httpx.get(f"{server.url}/v1/areas/need",
                         params={"level": "lsoa", "window": "28d"}).json()["features"]
    expected = {f["id"]: f["properties"]["need_index"] for f in features}
    assert len(expected) == len(CAMDEN.areas)

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/map?level=lsoa&window=28d")
    drawn = page.eval_on_selector_all(
        "svg.map path[data-code]", "ps => ps.map(p => [p.dataset.code, p.dataset.value, "
        "p.getBBox().width > 0, p.querySelector('title').textContent])")
    assert {code for code, *_ in drawn} == set(CAMDEN.areas)
    for code, value, visible, title in drawn:
        assert visible, f"{code} has no area on screen"
        assert float(value) == pytest.approx(expected[code]), code
        assert CAMDEN.areas[code].name in title
    rows = page.locator("table tbody tr")
    assert rows.count() == len(CAMDEN.areas)
    open_cases = {f["id"]: f["properties"]["open_cases"] for f in features}
    assert open_cases[HOT] >= 30
    assert str(open_cases[HOT]) in page.locator(f"tr[data-code='{HOT}']").inner_text()
    assert axe_violations(page) == []
    page.screenshot(path=artefact_path("need-map-lsoa.png"), full_page=True)
    context.close()


def test_the_category_filter_works_without_javascript(
        server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/map")
    assert page.locator("svg.map path[data-code]").count() == len(CAMDEN.wards)
    page.get_by_label("Areas").select_option("lsoa")
    page.get_by_label("Show").select_option("medicine")
    page.get_by_role("button", name="Update map").click()
    page.wait_for_url("**/map?*category=medicine*")
    features = httpx.get(f"{server.url}/v1/areas/need",
                         params={"level": "lsoa", "window": "28d"}).json()["features"]
    medicine = {f["id"]: f["properties"]["by_category"]["medicine"] for f in features}
    assert medicine[HOT] >= 30 and medicine[WARM] is None
    hot = page.locator(f"svg.map path[data-code='{HOT}']")
    assert hot.get_attribute("data-value") == str(medicine[HOT])
    assert f"{medicine[HOT]} open cases" in page.locator(f"tr[data-code='{HOT}']").inner_text()
    warm = page.locator(f"svg.map path[data-code='{WARM}']")
    assert warm.get_attribute("class") == "withheld", "no medicine cases there: withheld"
    assert "withheld" in page.locator(".legend").inner_text()
    page.screenshot(path=artefact_path("need-map-medicine.png"), full_page=True)
    context.close()
