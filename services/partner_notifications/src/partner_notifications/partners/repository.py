"""Every query about partners and their keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from civic.db import api_keys
from civic.http.auth import Role
from civic.http.coverage import Coverage, coverage_columns
from partner_notifications.partners.models import Partner


def get(session: Session, partner_id: str, *, for_update: bool = False) -> Partner | None:
    query = select(Partner).where(Partner.id == partner_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


def every(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.id)))


def live_key_hash(session: Session, partner_id: str) -> str | None:
    return session.scalar(select(api_keys.c.key_hash).where(
        api_keys.c.name == partner_id, api_keys.c.revoked_at.is_(None)))


def with_live_keys(session: Session) -> set[str]:
    return set(session.scalars(select(api_keys.c.name).where(
        api_keys.c.role == Role.PARTNER.value, api_keys.c.revoked_at.is_(None))))


def put_key(session: Session, partner: Partner, key_hash: str, now: datetime) -> None:
    """The partner's key is now this one: a first key, a rotation, or a new key after a
    revocation (one row per partner, as ``api_keys`` names are unique)."""
    columns = coverage_columns(Role.PARTNER.value, _coverage(partner))
    changed = session.execute(update(api_keys).where(api_keys.c.name == partner.id).values(
        role=Role.PARTNER.value, key_hash=key_hash, created_at=now, revoked_at=None,
        **columns))
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(api_keys).values(name=partner.id, role=Role.PARTNER.value,
                                                key_hash=key_hash, created_at=now, **columns))


def set_key_coverage(session: Session, partner: Partner) -> None:
    session.execute(update(api_keys).where(api_keys.c.name == partner.id).values(
        **coverage_columns(Role.PARTNER.value, _coverage(partner))))


def revoke_key(session: Session, partner_id: str, now: datetime) -> bool:
    result = session.execute(update(api_keys).where(
        api_keys.c.name == partner_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _coverage(partner: Partner) -> Coverage:
    return Coverage(frozenset(partner.wards), frozenset(partner.categories))
