"""`python -m partner_notifications serve | relay | migrate | keys | seed`."""

from __future__ import annotations

import argparse
import sys

from civic.keys_cli import add_keys_parser, run_keys
from civic.observability import configure_logging
from civic.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="partner-notifications")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP service and its outbox relay")
    sub.add_parser("relay", help="run only the outbox relay, as its own process (with "
                   "PARTNER_NOTIFICATIONS_RUN_RELAY=false on serve)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    add_keys_parser(sub)
    sub.add_parser("seed", help="create dev API keys and the demo partner (not in production)")
    args = parser.parse_args(argv)

    from partner_notifications.settings import Settings

    settings = load_settings(Settings, parser.prog)
    configure_logging("partner_notifications", settings.log_level)
    if args.command == "serve":
        from civic.http.server import serve
        from partner_notifications.app import create_app

        return serve(create_app(settings), settings)
    from civic.db import ServiceDatabase
    from partner_notifications.database import schema

    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    if args.command == "migrate":
        return 0
    if args.command == "relay":
        from civic.relay_process import run_relay
        from partner_notifications import IDENTITY

        return run_relay(IDENTITY, settings, database.engine,
                         poll_seconds=settings.relay_poll_seconds)
    if args.command == "keys":
        name = args.name or args.name_option or ""
        if args.role == "partner" or name.startswith("partner."):
            # here a partner's key must go with its directory record, or other services
            # would never hear of the change
            parser.error("partner keys are issued, rotated and revoked with "
                         "/v1/partners/{id}/key, which publishes them to every service")
        return run_keys(database.engine, args, parser)
    from partner_notifications.seed import seed as run_seed

    return run_seed(settings, database)


if __name__ == "__main__":
    sys.exit(main())
