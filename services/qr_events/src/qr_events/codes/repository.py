"""Every query on codes and their history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qr_events.codes.models import Code, CodeChangeRecord


def by_short_code(session: Session, short_code: str, *, for_update: bool = False) -> Code | None:
    query = select(Code).where(Code.short_code == short_code)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def by_id(session: Session, code_id: uuid.UUID) -> Code | None:
    return session.get(Code, code_id)


def exists(session: Session, short_code: str) -> bool:
    return session.scalar(select(Code.id).where(Code.short_code == short_code)) is not None


def page(session: Session, *, campaign: str | None, after: str | None,
         limit: int) -> Sequence[Code]:
    query = select(Code).order_by(Code.short_code).limit(limit)
    if campaign:
        query = query.where(Code.campaign == campaign)
    if after:
        query = query.where(Code.short_code > after)
    return session.scalars(query).all()


def ids_in_campaign(session: Session, campaign: str) -> list[uuid.UUID]:
    return list(session.scalars(select(Code.id).where(Code.campaign == campaign)))


def every_code(session: Session, batch: int = 1000) -> Iterator[Code]:
    yield from session.scalars(select(Code).execution_options(yield_per=batch))


def history(session: Session, code_id: uuid.UUID) -> Sequence[CodeChangeRecord]:
    return session.scalars(select(CodeChangeRecord).where(CodeChangeRecord.code_id == code_id)
                           .order_by(CodeChangeRecord.revision)).all()
