"""/metrics exposes the business and operational series ops rely on, without ids or
personal data in any label."""

from __future__ import annotations


def test_metrics_after_a_case_is_filed(client, as_, new_case):
    new_case(location={"postcode": "SW1A 1AA"})  # unplaced, so that counter moves too
    client.get("/v1/cases/00000000-0000-4000-8000-000000000000", headers=as_("staff"))
    text = client.get("/metrics").text
    for series in ('civic_case_intake_cases_created_total{channel="phone"}',
                   'civic_case_intake_cases_by_category_total{category="food"}',
                   "civic_case_intake_cases_location_unresolved_total",
                   "civic_case_intake_outbox_backlog",
                   "civic_case_intake_http_request_duration_seconds_bucket",
                   'route="/v1/cases/{case_id}"'):
        assert series in text, series
    assert "00000000-0000-4000" not in text  # raw paths never become labels
    # Labels and help text, not sample values: a number may contain '7974' by chance.
    words = [line.rsplit(" ", 1)[0] for line in text.splitlines()]
    for personal in ("Ada", "7974", "example.org"):
        assert not any(personal in w for w in words), personal
