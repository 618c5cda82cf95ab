"""The `keys` subcommand every service with API keys offers: create (printed once) or
revoke a key in that service's own database."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import Engine

from civic.http.auth import ApiKeyStore, Role


def add_keys_parser(subcommands: Any) -> None:
    keys = subcommands.add_parser("keys", help="create or revoke API keys")
    keys.add_argument("action", choices=["create", "revoke"])
    keys.add_argument("name", help="opaque actor id, e.g. staff.duty-desk or partner.foodbank")
    keys.add_argument("--role", choices=[r.value for r in Role if r != Role.RESIDENT])


def run_keys(engine: Engine, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    store = ApiKeyStore(engine)
    if args.action == "revoke":
        return 0 if store.revoke(args.name) else 1
    if not args.role:
        parser.error("keys create needs --role")
    print(store.create(args.name, Role(args.role)))
    return 0
