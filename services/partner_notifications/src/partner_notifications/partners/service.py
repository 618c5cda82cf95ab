"""Registering partners and issuing their one key, and publishing the directory.

Every change to a partner or its key is committed in one transaction with the
partner's new directory record in the outbox, so the record on ``partners.directory``
is never behind the database for longer than the relay takes: a key revoked here stops
at case intake as soon as intake reads the record (seconds), and a crash between the two
cannot leave a revoked key live elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from civic import outbox
from civic.contracts.partners import PartnerDirectoryEntry
from civic.errors import Conflict, InvalidInput, NotAllowed, NotFound
from civic.http.auth import ApiKeyStore, Principal, Role, hash_key, new_key
from civic.http.coverage import Coverage
from partner_notifications import IDENTITY
from partner_notifications.audit import repository as audit
from partner_notifications.metrics import PartnerMetrics
from partner_notifications.partners import repository
from partner_notifications.partners.models import Partner
from partner_notifications.partners.schemas import (
    PartnerChangeIn,
    PartnerContactOut,
    PartnerIn,
    PartnerKeyOut,
    PartnerOut,
)


class PartnerService:
    def __init__(self, sessions: sessionmaker[Session], keys: ApiKeyStore, *,
                 metrics: PartnerMetrics | None = None,
                 on_publish: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.keys = keys
        self.metrics = metrics or PartnerMetrics()
        self.on_publish = on_publish
        self.clock = clock

    def register(self, body: PartnerIn, actor: Principal) -> PartnerOut:
        coverage = Coverage(frozenset(body.wards), frozenset(c.value for c in body.categories))
        coverage.check()  # the council's wards only
        now = self.clock()
        partner = Partner(id=body.id, organisation=body.organisation, contact=body.contact,
                          wards=sorted(coverage.wards), categories=sorted(coverage.categories),
                          active=True, revision=0, created_at=now, updated_at=now)
        try:
            with self.sessions.begin() as session:
                session.add(partner)
                session.flush()
                audit.record(session, actor, "register_partner", ["organisation", "contact"],
                             partner.id)
                self._publish(session, partner, key_hash=None)
        except IntegrityError:
            raise Conflict("Partner exists", f"a partner is already registered as {body.id}",
                           slug="partner-exists") from None
        self.on_publish()
        return PartnerOut.of(partner, has_key=False)

    def every(self) -> list[PartnerOut]:
        with self.sessions() as session:
            keyed = repository.with_live_keys(session)
            return [PartnerOut.of(p, p.id in keyed) for p in repository.every(session)]

    def get(self, partner_id: str) -> PartnerOut:
        with self.sessions() as session:
            partner = self._find(session, partner_id)
            return PartnerOut.of(partner, repository.live_key_hash(session, partner_id) is not None)

    def contact(self, partner_id: str, actor: Principal, purpose: str) -> PartnerContactOut:
        with self.sessions.begin() as session:
            partner = self._find(session, partner_id)
            audit.record(session, actor, "read_partner_contact", ["contact"],
                         f"{partner.id}: {purpose}")
            return PartnerContactOut(id=partner.id, contact=partner.contact)

    def change(self, partner_id: str, body: PartnerChangeIn, actor: Principal) -> PartnerOut:
        given = body.model_dump(exclude_unset=True)
        if not given:
            raise InvalidInput("Nothing to change", "give at least one field to change",
                               slug="nothing-to-change")
        with self.sessions.begin() as session:
            partner = self._find(session, partner_id, for_update=True)
            for name in ("organisation", "contact", "active"):
                if given.get(name) is not None:
                    setattr(partner, name, given[name])
            if body.wards is not None:
                partner.wards = sorted(set(body.wards))
            if body.categories is not None:
                partner.categories = sorted({c.value for c in body.categories})
            Coverage(frozenset(partner.wards), frozenset(partner.categories)).check()
            if partner.active is False:
                repository.revoke_key(session, partner.id, self.clock())
            repository.set_key_coverage(session, partner)
            audit.record(session, actor, "change_partner", sorted(given), partner.id)
            key_hash = repository.live_key_hash(session, partner.id)
            self._publish(session, partner, key_hash)
        self._changed()
        return PartnerOut.of(partner, key_hash is not None)

    def issue_key(self, partner_id: str, actor: Principal, *,
                  key: str | None = None) -> PartnerKeyOut:
        """A first key, or a rotation: the old key stops wherever the directory reaches.
        ``key`` only for demo data, whose key a README can name."""
        key = key or new_key()
        with self.sessions.begin() as session:
            partner = self._find(session, partner_id, for_update=True)
            if not partner.active:
                raise NotAllowed("Partner inactive", f"{partner_id} is deactivated; make it "
                                 "active before issuing a key", slug="partner-inactive")
            repository.put_key(session, partner, hash_key(key), self.clock())
            audit.record(session, actor, "issue_partner_key", ["key"], partner.id)
            self._publish(session, partner, hash_key(key))
        self.metrics.key_changes.labels("issued").inc()
        self._changed()
        return PartnerKeyOut(partner_id=partner_id, key=key)

    def revoke_key(self, partner_id: str, actor: Principal) -> None:
        with self.sessions.begin() as session:
            partner = self._find(session, partner_id, for_update=True)
            if not repository.revoke_key(session, partner.id, self.clock()):
                raise NotFound("No live key", f"{partner_id} has no live key to revoke",
                               slug="no-live-key")
            audit.record(session, actor, "revoke_partner_key", ["key"], partner.id)
            self._publish(session, partner, key_hash=None)
        self.metrics.key_changes.labels("revoked").inc()
        self._changed()

    def announce_all(self) -> int:
        """Publish every partner's current record again, revision unchanged (readers
        ignore what they have): refills a topic that was lost or, in development, a
        broker that starts empty."""
        with self.sessions.begin() as session:
            partners = repository.every(session)
            for partner in partners:
                self._enqueue(session, partner, repository.live_key_hash(session, partner.id))
        self.on_publish()
        return len(partners)

    def me(self, principal: Principal) -> PartnerOut:
        if principal.role != Role.PARTNER:
            raise NotAllowed("Partners only", "this is a partner's own record",
                             slug="forbidden")
        return self.get(principal.name)

    def _find(self, session: Session, partner_id: str, *, for_update: bool = False) -> Partner:
        partner = repository.get(session, partner_id, for_update=for_update)
        if partner is None:
            raise NotFound("No such partner", f"no partner is registered as {partner_id}",
                           slug="partner-not-found")
        return partner

    def _publish(self, session: Session, partner: Partner, key_hash: str | None) -> None:
        partner.revision += 1
        partner.updated_at = self.clock()
        session.flush()
        self._enqueue(session, partner, key_hash)

    def _enqueue(self, session: Session, partner: Partner, key_hash: str | None) -> None:
        outbox.enqueue(session.connection(), PartnerDirectoryEntry(
            partner_id=partner.id, revision=partner.revision,
            key_hashes=[key_hash] if key_hash and partner.active else [],
            wards=partner.wards, categories=partner.categories, active=partner.active,
            changed_at=partner.updated_at), source=IDENTITY.event_source)

    def _changed(self) -> None:
        self.keys.clear_cache()
        self.on_publish()
