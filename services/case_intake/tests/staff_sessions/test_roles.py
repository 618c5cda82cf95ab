"""One ``StaffSessionService`` per role: a partner instance signs in partner keys only,
and a session of one role is never a session of the other, on two counts: its cookie is
signed for another purpose, and its key has another role.

Mutations seen to fail (each restored): the cookie purpose made the same for every role
(``"staff-session"``): the staff cookie reached the partner's row lookup, ended as
KEY_REVOKED rather than ENDED, and its staff session was deleted; the role check left
out of ``_still_live``: with the purposes made equal here, the staff cookie signed a
partner in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from case_intake.database import schema
from case_intake.staff_sessions.service import Ended, StaffSessionService
from civic.db import ServiceDatabase
from civic.errors import NotAllowed
from civic.http.auth import ApiKeyStore, Coverage, Role

SECRET = "a-test-session-secret-of-at-least-32-chars"


@pytest.fixture
def database(database_url: str) -> Iterator[ServiceDatabase]:
    database = ServiceDatabase(schema(), database_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def _service(database: ServiceDatabase, keys: ApiKeyStore, role: Role) -> StaffSessionService:
    return StaffSessionService(database.engine, database.sessions, keys, secret=SECRET,
                               idle=timedelta(minutes=30), absolute=timedelta(hours=12),
                               role=role)


def test_each_role_signs_in_its_own_keys_and_says_which_it_wants(
        database: ServiceDatabase) -> None:
    keys = ApiKeyStore(database.engine)
    staff, partners = _service(database, keys, Role.STAFF), _service(database, keys, Role.PARTNER)
    staff_key = keys.create("staff.desk", Role.STAFF)
    partner_key = keys.create("partner.foodbank", Role.PARTNER, coverage=Coverage.everything())
    with pytest.raises(NotAllowed) as refused:
        partners.sign_in(staff_key)
    assert refused.value.detail == "Enter a partner API key that has not been revoked"
    assert refused.value.slug == "not-a-partner-key"
    with pytest.raises(NotAllowed) as refused:
        staff.sign_in(partner_key)
    assert refused.value.slug == "not-a-staff-key"
    started = partners.sign_in(partner_key)
    check = partners.check(started.cookie)
    assert check.session is not None and check.session.principal.name == "partner.foodbank"
    assert check.session.principal.coverage == Coverage.everything()


def test_a_session_of_one_role_is_none_of_the_other(database: ServiceDatabase) -> None:
    keys = ApiKeyStore(database.engine)
    staff, partners = _service(database, keys, Role.STAFF), _service(database, keys, Role.PARTNER)
    as_staff = staff.sign_in(keys.create("staff.desk", Role.STAFF))
    as_partner = partners.sign_in(keys.create("partner.foodbank", Role.PARTNER))
    # refused at the signature, so never looked up: nor ended, as a row found for a key
    # of the wrong role would be
    assert partners.check(as_staff.cookie).ended is Ended.ENDED
    assert staff.check(as_partner.cookie).ended is Ended.ENDED
    assert staff.check(as_staff.cookie).session is not None
    assert partners.check(as_partner.cookie).session is not None
    assert not partners.sign_in_form_matches(*staff.sign_in_form(None))
    assert not partners.csrf_matches(as_partner, as_staff.csrf_token)
    # and were the signatures alike, the key's role would still refuse it
    partners._cookie_purpose = "staff-session"  # what a shared purpose would be
    check = partners.check(as_staff.cookie)
    assert check.session is None and check.ended is Ended.KEY_REVOKED
