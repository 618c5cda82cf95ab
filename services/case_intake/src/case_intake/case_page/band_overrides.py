"""Sending a staff band override to need scoring, which owns scores and the decisions
about them. The case page posts here; the decision is recorded there, in the signed-in
member of staff's name (``Civic-Acting-For``, honoured only for case intake's own key;
see need scoring's ``overrides/delegation.py``), and comes back through cases.scored."""

from __future__ import annotations

import logging

import httpx

from civic.http.auth import Principal

log = logging.getLogger(__name__)
TIMEOUT_S = 15.0  # need scoring answers once the broker has the new score


class OverrideRefused(Exception):
    """Need scoring did not record the override; ``detail`` says why, in its words."""

    def __init__(self, detail: str, status: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


class BandOverrides:
    def __init__(self, base_url: str | None, api_key: str | None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self._api_key = api_key
        self._transport = transport  # tests hand in the app's own

    @property
    def available(self) -> bool:
        return self.base_url is not None and self._api_key is not None

    def override(self, case_id: str, band: str, reason: str, staff: Principal) -> None:
        if not self.available:
            raise OverrideRefused("Band overrides are not set up on this case intake: "
                                  "CASE_INTAKE_NEED_SCORING_URL is not set.", 503)
        try:
            with httpx.Client(transport=self._transport, timeout=TIMEOUT_S) as client:
                answer = client.post(
                    f"{self.base_url}/v1/cases/{case_id}/band-override",
                    json={"band": band, "reason": reason},
                    headers={"Authorization": f"Bearer {self._api_key}",
                             "Civic-Acting-For": staff.name})
        except httpx.HTTPError as exc:
            raise OverrideRefused("Need scoring could not be reached, so the band was not "
                                  "changed. Try again in a minute.", 503) from exc
        if answer.status_code in (401, 403):
            # case intake's key, or its standing as a delegating caller: a setup fault
            # for operators, not something the member of staff did
            log.error("need scoring refused case intake's override key (HTTP %s); check "
                      "CASE_INTAKE_NEED_SCORING_API_KEY and NEED_SCORING_DELEGATING_CALLERS",
                      answer.status_code)
            raise OverrideRefused("Band overrides cannot be sent to need scoring just now "
                                  "(its key is not accepted). The band was not changed; "
                                  "tell your system administrator.", 503)
        if answer.status_code == 404:
            raise OverrideRefused("This case has no score yet, so there is no band to "
                                  "change. Try again when it shows a score.", 409)
        if answer.status_code >= 400:
            raise OverrideRefused(_problem_detail(answer),
                                  answer.status_code if answer.status_code < 500 else 503)


def _problem_detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return f"Need scoring did not record the override: {body['detail']}"
    return f"Need scoring did not record the override (HTTP {answer.status_code})."
