"""Signatures verify with the standardwebhooks library, as a partner's own code would
check them; during a rotation either secret verifies, and a secret not used does not.
Mutation seen to fail: signing the body's bytes instead of its text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from partner_notifications.sending.signing import new_secret, signed_headers

BODY = '{"type":"case.scored","timestamp":"2026-11-26T10:00:00Z","data":{"ward":"E05000139"}}'


def test_a_signature_verifies_with_the_library() -> None:
    secret = new_secret()
    headers = signed_headers("msg_2fk3", BODY, [secret], datetime.now(UTC))
    assert Webhook(secret).verify(BODY, headers)["type"] == "case.scored"
    assert headers["webhook-id"] == "msg_2fk3"


def test_during_a_rotation_either_secret_verifies_and_no_other() -> None:
    new, old, unrelated = new_secret(), new_secret(), new_secret()
    headers = signed_headers("msg_1", BODY, [new, old], datetime.now(UTC))
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, headers) == Webhook(old).verify(BODY.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(unrelated).verify(BODY, headers)


def test_the_timestamp_is_the_instant_whatever_its_zone() -> None:
    paris = datetime.now(timezone(timedelta(hours=1)))
    secret = new_secret()
    headers = signed_headers("msg_2", BODY, [secret], paris)
    assert headers["webhook-timestamp"] == str(int(paris.timestamp()))
    Webhook(secret).verify(BODY, headers)  # within the library's five minutes


def test_a_changed_body_fails() -> None:
    secret = new_secret()
    headers = signed_headers("msg_3", BODY, [secret], datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("E05000139", "E05000128"), headers)


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    import base64

    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert new_secret() != secret


GOOD = new_secret()
NOW = datetime.now(UTC)


@pytest.mark.parametrize("message_id,secrets,at,why", [
    ("msg_4", [], NOW, "no secret"),
    ("msg_4", [GOOD], datetime(2026, 11, 26, 10), "timezone-aware"),
    # "msg.1700000000" + "{}" would sign what "msg" + "1700000000.{}" signs
    ("msg.1700000000", [GOOD], NOW, "message id"), ("", [GOOD], NOW, "message id"),
    ("msg_4", ["whsec_AAAA"], NOW, "24 to 64 bytes, not 3"),
    ("msg_4", ["whsec_not base64!"], NOW, "standard base64"),
    ("msg_4", [GOOD[len("whsec_"):]], NOW, "starts with whsec_")])
def test_what_cannot_be_signed(message_id: str, secrets: list[str], at: datetime,
                               why: str) -> None:
    with pytest.raises(ValueError, match=why):
        signed_headers(message_id, BODY, secrets, at)


def test_bytes_are_not_signed_as_if_they_were_the_body() -> None:
    with pytest.raises(TypeError, match="text that is sent"):
        signed_headers("msg_5", BODY.encode(), [GOOD], NOW)  # type: ignore[arg-type]
