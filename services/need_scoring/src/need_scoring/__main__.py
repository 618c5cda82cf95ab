"""`python -m need_scoring serve | migrate | keys | check-policy`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from civic.keys_cli import add_keys_parser, run_keys
from civic.observability import configure_logging
from civic.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="need-scoring")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the stream and the HTTP service")
    sub.add_parser("migrate", help="bring the database schema up to date")
    add_keys_parser(sub)
    check = sub.add_parser("check-policy", help="load a policy file and report every problem")
    check.add_argument("path", type=Path)
    sub.add_parser("seed", help="create the well-known dev API keys (not in production)")
    args = parser.parse_args(argv)

    if args.command == "check-policy":
        from need_scoring.policy import PolicyError, load_policy

        try:
            policy = load_policy(args.path)
        except PolicyError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"{args.path}: policy {policy.version} is valid "
              f"({len(policy.factors)} factors, highest possible score {policy.max_score})")
        return 0

    from need_scoring.settings import Settings

    settings = load_settings(Settings, parser.prog)
    configure_logging("need_scoring", settings.log_level)
    # faust logs every internal service starting and stopping at INFO; keep its warnings.
    for noisy in ("faust", "mode", "need_scoring.stream.transport"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING,
                                              logging.getLevelName(settings.log_level)))
    if args.command == "serve":
        from civic.http.server import serve
        from need_scoring.app import create_app

        return serve(create_app(settings), settings)
    from civic.db import ServiceDatabase
    from civic.http.auth import ensure_dev_keys
    from need_scoring.database import schema

    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    engine = database.engine
    if args.command == "migrate":
        return 0
    if args.command == "seed":
        if settings.is_production:
            print("refusing to create dev keys in production", file=sys.stderr)
            return 1
        ensure_dev_keys(engine)
        return 0
    return run_keys(engine, args, parser)


if __name__ == "__main__":
    sys.exit(main())
