"""The `keys` subcommand every service with API keys offers, in that service's own
database:

    keys create NAME --role ROLE [--wards W,W… --categories C,C…]   (prints the key once)
    keys revoke NAME
    keys coverage NAME --wards W,W… --categories C,C…   (set a partner key's coverage)
    keys coverage NAME --clear                           (it then covers nothing)
    keys coverage NAME                                   (show it)

NAME may also be given as ``--name NAME``. Wards are ONS ward codes of the council's
wards (``E05000128``), categories are case categories (``food``); ``all`` stands for
every one. Unknown ones are refused. A partner key without coverage covers nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy import Engine

from civic.errors import InvalidInput, NotFound
from civic.http.auth import ApiKeyStore, Coverage, Role


def add_keys_parser(subcommands: Any) -> None:
    keys = subcommands.add_parser("keys", help="create or revoke API keys, set partner coverage")
    keys.add_argument("action", choices=["create", "revoke", "coverage"])
    keys.add_argument("name", nargs="?",
                      help="opaque actor id, e.g. staff.duty-desk or partner.foodbank")
    keys.add_argument("--name", dest="name_option", metavar="NAME", help="the same as NAME")
    keys.add_argument("--role", choices=[r.value for r in Role if r != Role.RESIDENT])
    keys.add_argument("--wards", help="a partner's ward codes, comma-separated, or 'all'")
    keys.add_argument("--categories", help="a partner's categories, comma-separated, or 'all'")
    keys.add_argument("--clear", action="store_true",
                      help="keys coverage: remove the coverage (the key then covers nothing)")


def run_keys(engine: Engine, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    name = args.name or args.name_option
    if not name or (args.name and args.name_option and args.name != args.name_option):
        parser.error(f"keys {args.action} needs one NAME (or --name NAME)")
    store = ApiKeyStore(engine)
    wanted = args.wards is not None or args.categories is not None
    if args.action == "revoke":
        return 0 if store.revoke(name) else 1
    try:
        if args.action == "create":
            if not args.role:
                parser.error("keys create needs --role")
            coverage = _coverage(args, parser) if wanted else None
            print(store.create(name, Role(args.role), coverage=coverage))
            if args.role == Role.PARTNER and coverage is None:
                print(f"note: {name} covers nothing until `keys coverage {name} --wards … "
                      "--categories …` sets its coverage", file=sys.stderr)
            return 0
        if args.clear:
            store.set_coverage(name, None)
        elif wanted:
            store.set_coverage(name, _coverage(args, parser))
        print(_describe(name, store.coverage_of(name)))
        return 0
    except (InvalidInput, NotFound) as refused:
        print(f"keys {args.action}: {refused.detail}", file=sys.stderr)
        return 2 if isinstance(refused, InvalidInput) else 1


def _coverage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Coverage:
    if args.wards is None or args.categories is None:
        parser.error("a partner's coverage needs both --wards and --categories")
    everything = Coverage.everything()
    return Coverage(_items(args.wards, everything.wards),
                    _items(args.categories, everything.categories))


def _items(given: str, every: frozenset[str]) -> frozenset[str]:
    if given.strip().lower() == "all":
        return every
    return frozenset(item.strip() for item in given.split(",") if item.strip())


def _describe(name: str, coverage: Coverage | None) -> str:
    if coverage is None:
        return f"{name}: no coverage (covers nothing)"
    return (f"{name}: wards {', '.join(sorted(coverage.wards)) or '(none)'}; "
            f"categories {', '.join(sorted(coverage.categories)) or '(none)'}")
