from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from civic.contracts.common import ActorRole
from civic.contracts.scoring import AppliedOverride
from need_scoring.overrides.models import OverrideDecision


def add(session: Session, row: OverrideDecision) -> None:
    session.add(row)


APPLIED = "applied"


def latest_per_case(session: Session) -> list[OverrideDecision]:
    newest = (select(OverrideDecision.case_id, func.max(OverrideDecision.id).label("id"))
              .where(OverrideDecision.state == APPLIED)
              .group_by(OverrideDecision.case_id).subquery())
    return list(session.scalars(select(OverrideDecision).join(
        newest, OverrideDecision.id == newest.c.id)))


def applied(row: OverrideDecision) -> AppliedOverride:
    """A decision as a scored event carries it: its id, never its reason. Only staff can
    override (the endpoint requires the staff role), so the table keeps no role."""
    return AppliedOverride(band=row.band, override_id=row.id, actor_role=ActorRole.STAFF,
                           overridden_at=row.overridden_at)


def overrides_in_force(session: Session) -> dict[str, dict[str, Any]]:
    """The newest decision per case, as a scored event carries it."""
    return {row.case_id: applied(row).model_dump(mode="json")
            for row in latest_per_case(session)}


def by_id(session: Session, override_id: int) -> OverrideDecision | None:
    return session.get(OverrideDecision, override_id)


def for_case(session: Session, case_id: str) -> list[OverrideDecision]:
    return list(session.scalars(select(OverrideDecision).where(
        OverrideDecision.case_id == case_id, OverrideDecision.state == APPLIED)
        .order_by(OverrideDecision.id)))


def state_of(session: Session, override_id: int) -> str | None:
    return session.scalar(select(OverrideDecision.state).where(
        OverrideDecision.id == override_id))


def settle(session: Session, override_id: int, state: str, computed_band: str) -> None:
    """The first outcome of a pending decision is kept; a later one (another policy
    version's group, a replay) changes nothing."""
    session.execute(update(OverrideDecision).where(
        OverrideDecision.id == override_id, OverrideDecision.state == "pending")
        .values(state=state, computed_band=computed_band))


def remove(session: Session, override_id: int) -> None:
    session.execute(delete(OverrideDecision).where(
        OverrideDecision.id == override_id))


def delete_for_cases(session: Session, case_ids: list[str]) -> int:
    """Erasure: staff reasons go with the case (the audit log stays: it names staff)."""
    deleted = 0
    for start in range(0, len(case_ids), 500):  # under every driver's parameter limit
        result = session.execute(delete(OverrideDecision).where(
            OverrideDecision.case_id.in_(case_ids[start:start + 500])))
        deleted += result.rowcount  # type: ignore[attr-defined]
    return deleted
