"""`python -m case_intake serve | migrate | keys | seed`."""

from __future__ import annotations

import argparse
import sys

from civic.keys_cli import add_keys_parser, run_keys
from civic.observability import configure_logging
from civic.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="case-intake")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP service (and, unless CASE_INTAKE_RUN_RELAY=false, "
                   "its outbox relay)")
    sub.add_parser("relay", help="run only the outbox relay, as its own process")
    sub.add_parser("migrate", help="bring the database schema up to date")
    add_keys_parser(sub)
    seed = sub.add_parser("seed", help="create demo API keys and demo cases (not in production)")
    seed.add_argument("--cases", type=int, default=800,
                      help="how many demo cases the plan holds (filed once, whatever the runs)")
    args = parser.parse_args(argv)

    from case_intake.settings import Settings

    settings = load_settings(Settings, parser.prog)
    configure_logging("case_intake", settings.log_level)
    if args.command == "serve":
        from case_intake.app import create_app
        from civic.http.server import serve

        return serve(create_app(settings), settings)
    from case_intake.database import schema
    from civic.db import ServiceDatabase

    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    engine = database.engine
    if args.command == "relay":
        from case_intake import IDENTITY
        from civic.relay_process import run_relay

        return run_relay(IDENTITY, settings, engine, poll_seconds=settings.relay_poll_seconds)
    if args.command == "migrate":
        return 0
    if args.command == "keys":
        return run_keys(engine, args, parser)
    from case_intake.seed import seed as run_seed

    return run_seed(settings, engine, args.cases)


if __name__ == "__main__":
    sys.exit(main())
