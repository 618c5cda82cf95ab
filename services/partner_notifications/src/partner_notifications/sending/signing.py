"""Standard Webhooks signatures, made by the ``standardwebhooks`` library.

Two of the library's inputs are easy to get wrong, and both give a signature no partner
can verify: the body must be the ``str`` that is sent (bytes are signed as their
``repr``), and the timestamp must be an aware UTC datetime (a naive or local one signs
another second). So callers go through here. While a secret is rotated, every secret
still valid signs, and ``webhook-signature`` carries each signature, space-separated, as
the specification allows: a partner holding either secret verifies.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64
# The signed content is "id.timestamp.body": an id with a "." could pass for another
# id and timestamp, so the specification rules it out.
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(message_id: str, body: str, signing_secrets: Sequence[str],
                   at: datetime) -> dict[str, str]:
    if not MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"a message id is 1 to 128 letters, digits, '_' or '-': {message_id!r}")
    if not isinstance(body, str):
        raise TypeError("sign the body as the text that is sent, not bytes")
    if not signing_secrets:
        raise ValueError("no secret to sign with")
    for secret in signing_secrets:
        check_secret(secret)
    if at.tzinfo is None:
        raise ValueError("the timestamp must be timezone-aware")
    at = at.astimezone(UTC)
    signatures = " ".join(Webhook(secret).sign(message_id, at, body)
                          for secret in signing_secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures}


def check_secret(secret: str) -> None:
    """A ``whsec_`` secret of 24 to 64 bytes in standard base64; the library would
    quietly accept a short, padded-out or mistyped one."""
    if not secret.startswith(PREFIX):
        raise ValueError("a signing secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(PREFIX):], validate=True)
    except binascii.Error as exc:
        raise ValueError(f"a signing secret is standard base64 after whsec_: {exc}") from exc
    if not 24 <= len(key) <= 64:
        raise ValueError(f"a signing secret holds 24 to 64 bytes, not {len(key)}")
