"""`python -m qr_events serve | migrate | keys | seed`."""

from __future__ import annotations

import argparse
import sys

from civic.keys_cli import add_keys_parser, run_keys
from civic.observability import configure_logging
from civic.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qr-events")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP service, its scan writer, outbox relay and "
                   "consumers")
    sub.add_parser("relay", help="run only the outbox relay, as its own process (with "
                   "QR_EVENTS_RUN_RELAY=false on serve)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    add_keys_parser(sub)
    seed = sub.add_parser("seed", help="create dev API keys, demo codes and their posters "
                          "(not in production)")
    seed.add_argument("--posters", default="var/demo-posters",
                      help="folder for the demo codes' PDF posters")
    args = parser.parse_args(argv)

    from qr_events.settings import Settings

    settings = load_settings(Settings, parser.prog)
    configure_logging("qr_events", settings.log_level)
    if args.command == "serve":
        from civic.http.server import serve
        from qr_events.app import create_app

        return serve(create_app(settings), settings)
    from civic.db import ServiceDatabase
    from qr_events.database import schema

    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    if args.command == "migrate":
        return 0
    if args.command == "relay":
        from civic.relay_process import run_relay
        from qr_events import IDENTITY

        return run_relay(IDENTITY, settings, database.engine,
                         poll_seconds=settings.relay_poll_seconds)
    if args.command == "keys":
        return run_keys(database.engine, args, parser)
    from qr_events.seed import seed as run_seed

    return run_seed(settings, database, args.posters)


if __name__ == "__main__":
    sys.exit(main())
