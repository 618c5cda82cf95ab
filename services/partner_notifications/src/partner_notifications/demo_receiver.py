"""A demo partner's webhook receiver: what a voluntary group would run to take our webhooks.

``make dev`` starts it as the demo partner, so the whole path (event, delivery, signature,
retry) can be watched end to end: it prints one line per webhook and shows its counts at
``GET /``. It is also the model we point partners to when they write their own receiver,
so it does only what every receiver must: verify, then deduplicate, then act.

It verifies with the ``standardwebhooks`` library rather than a hand-rolled HMAC because
the details are where receivers go wrong: the signed content is ``id.timestamp.body``,
the header may carry several space-separated signatures (one per secret during a
rotation), the comparison must be constant-time, and a timestamp outside five minutes
must be refused, or a captured request can be replayed for ever. The library does all
of that, and is what our own signer is tested against.

Replays within those five minutes are caught by remembering ``webhook-id``, which stays
the same on every retry: a known id is answered 204 (so the sender stops retrying) and not
acted on again. Ids are remembered in a bounded, oldest-first structure, so memory stays
flat; only more than ``SEEN_LIMIT`` webhooks within five minutes would let one through.

Run: ``DEMO_PARTNER_SECRET=whsec_... python -m partner_notifications.demo_receiver``
(``--secret`` works too, but puts the secret in the process list). Webhooks are POSTed to
``/webhooks``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

ENV_SECRET = "DEMO_PARTNER_SECRET"
SEEN_LIMIT = 10_000
SUMMARY_CHARS = 200
# Verification needs the whole body in memory before anything is trusted, so an
# unauthenticated sender must not be able to make that unbounded.
MAX_BODY_BYTES = 1024 * 1024


def _print_line(line: str) -> None:
    # Under make dev stdout is a pipe, which Python block-buffers: flush so each webhook
    # shows as it arrives.
    print(line, flush=True)


def _printable(text: str, limit: int = SUMMARY_CHARS) -> str:
    # Even a verified sender should not be able to forge extra log lines or paint the
    # terminal, so control characters are replaced before printing.
    clean = "".join(char if char.isprintable() else "?" for char in text)
    return clean if len(clean) <= limit else clean[:limit] + "..."


@dataclass
class Receiver:
    webhooks: list[Webhook]
    out: Callable[[str], None]
    seen_limit: int = SEEN_LIMIT
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    received: int = 0
    rejected: int = 0
    duplicates: int = 0

    def verify(self, body: str, headers: dict[str, str]) -> str | None:
        """None if any secret verifies, else why not."""
        reasons: list[str] = []
        for webhook in self.webhooks:
            try:
                webhook.verify(body, headers, json_parse=False)
                return None
            except WebhookVerificationError as exc:
                reasons.append(str(exc))
            except ValueError as exc:
                # The library parses each "v1,<base64>" entry with a bare split and
                # b64decode, so a malformed header surfaces as ValueError, not its own error.
                reasons.append(f"malformed webhook-signature header ({exc})")
        return "; ".join(dict.fromkeys(reasons))  # the same reason once, not once per secret

    def remember(self, message_id: str) -> bool:
        """True if the id is new; marks it seen either way."""
        if message_id in self.seen:
            self.seen.move_to_end(message_id)  # a still-retried id is the one to keep
            return False
        self.seen[message_id] = None
        if len(self.seen) > self.seen_limit:
            self.seen.popitem(last=False)
        return True

    def reject(self, reason: str, status: int = 400) -> Response:
        self.rejected += 1
        self.out(f"REJECTED {_printable(reason)}")
        return PlainTextResponse(f"rejected: {reason}\n", status_code=status)

    async def webhook(self, request: Request) -> Response:
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                return self.reject(f"body over {MAX_BODY_BYTES} bytes", 413)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self.reject("body is not UTF-8")
        headers = dict(request.headers)
        reason = self.verify(body, headers)
        if reason is not None:
            return self.reject(reason)
        # Verified first, deduplicated second: an unverified request must not be able to
        # mark an id as seen and so suppress the real webhook.
        message_id = headers["webhook-id"]
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return self.reject("verified, but the body is not a JSON object")
        if not self.remember(message_id):
            self.duplicates += 1
            self.out(f"duplicate {_printable(message_id)}")
            return Response(status_code=204)
        self.received += 1
        data = json.dumps(payload.get("data"), separators=(",", ":"), ensure_ascii=False)
        self.out(f"webhook {_printable(str(payload.get('type')), 100)} "
                 f"{_printable(message_id)} {_printable(data)}")
        return Response(status_code=204)

    async def status(self, request: Request) -> Response:
        return PlainTextResponse(
            "demo partner receiver\n"
            f"received: {self.received} (verified, new)\n"
            f"rejected: {self.rejected}\n"
            f"duplicates: {self.duplicates}\n")

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok\n")


def _webhook(secret: str) -> Webhook:
    # The library decodes leniently (it drops characters that are not base64), so a
    # mistyped secret would start and then reject everything; refuse it here instead.
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"a signing secret is whsec_ then standard base64 ({exc})") from exc
    if not key:
        raise ValueError("a signing secret may not be empty")
    return Webhook(key)


def create_app(secrets: Sequence[str], out: Callable[[str], None] = _print_line,
               seen_limit: int = SEEN_LIMIT) -> Starlette:
    """The receiver for these secrets (any one verifying is enough, for rotations).

    Raises ValueError if there is no secret or one is not whsec_ and base64.
    """
    if not secrets:
        raise ValueError(f"no signing secret: pass --secret or set {ENV_SECRET}")
    receiver = Receiver([_webhook(secret) for secret in secrets], out, seen_limit)
    app = Starlette(routes=[
        Route("/webhooks", receiver.webhook, methods=["POST"]),
        Route("/", receiver.status, methods=["GET"]),
        Route("/healthz", receiver.healthz, methods=["GET"]),
        Route("/readyz", receiver.healthz, methods=["GET"]),  # what make dev waits for
    ])
    app.state.receiver = receiver
    return app


def parse_secrets(value: str | None) -> list[str]:
    return [secret.strip() for secret in (value or "").split(",") if secret.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m partner_notifications.demo_receiver",
        description="A demo partner: verifies Standard Webhooks and prints one line each.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PARTNER_PORT",
                                                                      "8005")),
                        help="default: $DEMO_PARTNER_PORT, else 8005")
    parser.add_argument("--secret", help=f"whsec_ signing secret(s), comma-separated during "
                        f"a rotation; default: ${ENV_SECRET}")
    args = parser.parse_args(argv)
    secrets = parse_secrets(args.secret if args.secret is not None
                            else os.environ.get(ENV_SECRET))
    if not secrets:
        parser.error(f"no signing secret: pass --secret whsec_... or set {ENV_SECRET} "
                     "(comma-separated during a rotation)")
    try:
        app = create_app(secrets)
    except ValueError as exc:
        parser.error(str(exc))

    import uvicorn

    _print_line(f"demo partner receiver: POST webhooks to http://{args.host}:{args.port}"
                f"/webhooks ({len(secrets)} secret(s))")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
