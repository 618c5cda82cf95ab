"""civic.http.directory: the partner directory as read from partners.directory. Newer
records win whatever order they arrive in; a revoked or deactivated partner's key stops
at once, with no cache to wait out; a key store asks the directory before its own
database. (The topic itself, across services, is tested in
tests/integration/test_partner_keys.py.)

Mutations seen to fail: applying a record regardless of its revision, keeping a
partner's old hashes when a new record comes, and the key store consulting its cache
before the directory."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from civic.contracts.partners import PartnerDirectoryEntry
from civic.db import make_engine, metadata
from civic.http.auth import ApiKeyStore, Role, hash_key
from civic.http.directory import PartnerDirectory

KEY, NEW_KEY = "civic_directory_key_1", "civic_directory_key_2"


def entry(revision: int, *keys: str, active: bool = True,
          wards: tuple[str, ...] = ("E05000139",)) -> PartnerDirectoryEntry:
    return PartnerDirectoryEntry(partner_id="partner.foodbank", revision=revision,
                                 key_hashes=[hash_key(k) for k in keys], wards=list(wards),
                                 categories=["food"], active=active,
                                 changed_at=datetime(2026, 11, 27, tzinfo=UTC))


def engine(tmp_path) -> Engine:  # type: ignore[no-untyped-def]
    made = make_engine(f"sqlite:///{tmp_path}/keys.db")
    metadata.create_all(made)
    return made


def test_the_newest_record_wins_in_any_order() -> None:
    directory = PartnerDirectory()
    assert directory.apply(entry(2, NEW_KEY, wards=("E05000139", "E05000141")))
    assert not directory.apply(entry(1, KEY))  # late: the rotation already happened
    assert not directory.apply(entry(2, KEY))  # the same revision, read twice
    assert directory.principal_for(hash_key(KEY)) is None
    partner = directory.principal_for(hash_key(NEW_KEY))
    assert partner is not None and partner.role == Role.PARTNER
    assert (partner.name, partner.coverage.wards) == (
        "partner.foodbank", {"E05000139", "E05000141"})  # type: ignore[union-attr]


def test_rotation_revocation_and_deactivation_stop_the_old_key() -> None:
    directory = PartnerDirectory()
    directory.apply(entry(1, KEY))
    directory.apply(entry(2, NEW_KEY))
    assert directory.principal_for(hash_key(KEY)) is None
    directory.apply(entry(3))
    assert directory.principal_for(hash_key(NEW_KEY)) is None
    directory.apply(entry(4, KEY, active=False))
    assert directory.principal_for(hash_key(KEY)) is None
    assert len(directory) == 1


def test_a_key_store_asks_the_directory_first_and_never_outlives_it(tmp_path) -> None:
    directory = PartnerDirectory()
    store = ApiKeyStore(engine(tmp_path), cache_seconds=3600, directory=directory)
    assert store.lookup(KEY) is None  # unknown: a miss, cached for an hour
    directory.apply(entry(1, KEY))
    assert store.lookup(KEY) is not None  # the directory's answer, despite that miss
    assert store.cached(KEY)[1] is not None
    directory.apply(entry(2))
    assert store.lookup(KEY) is None  # revoked: at once, not in an hour
    assert store.cached(KEY)[1] is None


def test_a_partner_the_directory_knows_has_no_keys_but_the_directorys(tmp_path) -> None:
    """A copy of the partner's key kept in this service by hand (as make dev's seed does
    at case intake) stops working as soon as the directory revokes that partner's key.
    Seen to fail with the local row admitted."""
    directory = PartnerDirectory()
    store = ApiKeyStore(engine(tmp_path), cache_seconds=0, directory=directory)
    local = store.create("partner.foodbank", Role.PARTNER)
    store.create("partner.elsewhere", Role.PARTNER, "civic_local_only_key")
    assert store.lookup(local) is not None  # nobody has said otherwise yet
    directory.apply(entry(1))  # partner notifications: no live key for partner.foodbank
    assert store.lookup(local) is None
    assert store.lookup("civic_local_only_key") is not None  # a partner it doesn't know
