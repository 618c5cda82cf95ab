"""Open311 operations on cases: file a request, find requests, read one. Reads return
only a case's public facts (see translate.as_request)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from case_intake.cases import repository
from case_intake.cases.filing import CaseFiling
from case_intake.cases.models import Case
from case_intake.open311.translate import Open311Error, as_request, case_from_form, category
from civic.contracts.common import OPEN_STATUSES
from civic.errors import DomainError
from civic.http.auth import ApiKeyStore, Principal, Role

MAX_RESULTS = 1000
CLOSED = ["resolved", "closed", "withdrawn"]


class Open311Service:
    def __init__(self, sessions: sessionmaker[Session], filing: CaseFiling,
                 api_keys: ApiKeyStore, *, agency: str, terms_version: str) -> None:
        self.sessions = sessions
        self.filing = filing
        self.api_keys = api_keys
        self.agency = agency
        self.terms_version = terms_version

    def file(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """File the request the form describes, as the api_key it carries."""
        principal = self._principal(form.get("api_key"))
        channel = "partner" if principal.role == Role.PARTNER else "web"
        body = case_from_form(form, channel, self.terms_version)
        try:
            return self.filing.create(body, principal, None)
        except DomainError as exc:
            raise Open311Error(exc.status, exc.detail or exc.title) from exc

    def get(self, service_request_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            case = repository.get(session, service_request_id)
            if case is None:
                raise Open311Error(404, f"service_request_id {service_request_id} not found")
            return as_request(case, self.agency)

    def find(self, ids: str | None, codes: str | None, start: datetime | None,
             end: datetime | None, status: str | None) -> list[dict[str, Any]]:
        return [as_request(c, self.agency) for c in self._find(ids, codes, start, end, status)]

    def _find(self, ids: str | None, codes: str | None, start: datetime | None,
              end: datetime | None, status: str | None) -> list[Case]:
        with self.sessions() as session:
            if ids:
                wanted = [i.strip() for i in ids.split(",") if i.strip()][:MAX_RESULTS]
                return repository.by_ids(session, wanted)
            end = _aware(end) if end else datetime.now(UTC)
            start = _aware(start) if start else end - timedelta(days=90)
            if end - start > timedelta(days=90):
                raise Open311Error(400, "start_date to end_date may not span more than 90 days")
            statuses = None
            if status:
                wanted_states = {s.strip() for s in status.split(",")}
                if not wanted_states <= {"open", "closed"}:
                    raise Open311Error(400, "status must be open, closed or both")
                statuses = ([s.value for s in OPEN_STATUSES] if wanted_states == {"open"}
                            else CLOSED if wanted_states == {"closed"} else None)
            found = repository.in_period(session, start=start, end=end, statuses=statuses,
                                         limit=MAX_RESULTS)
            if codes:
                code_set = {category(c.strip()).value for c in codes.split(",")}
                found = [c for c in found if set(c.categories) & code_set]
            return found

    def _principal(self, api_key: str | None) -> Principal:
        if not api_key:
            raise Open311Error(403, "api_key is required to file a request")
        principal = self.api_keys.lookup(api_key)
        if principal is None:
            raise Open311Error(403, "api_key is not recognised or has been revoked")
        if principal.role not in (Role.STAFF, Role.PARTNER):
            raise Open311Error(403, f"an api_key with the {principal.role} role cannot "
                               "file requests")
        return principal


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
