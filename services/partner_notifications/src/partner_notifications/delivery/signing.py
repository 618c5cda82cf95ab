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
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(message_id: str, body: str, signing_secrets: Sequence[str],
                   at: datetime) -> dict[str, str]:
    if not signing_secrets:
        raise ValueError("no secret to sign with")
    if at.tzinfo is None:
        raise ValueError("the timestamp must be timezone-aware")
    at = at.astimezone(UTC)
    signatures = " ".join(Webhook(secret).sign(message_id, at, body)
                          for secret in signing_secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures}
