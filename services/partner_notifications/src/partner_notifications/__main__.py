"""`python -m partner_notifications serve`."""

from __future__ import annotations

import argparse
import sys

from civic.observability import configure_logging
from civic.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="partner-notifications")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP service (health and metrics so far)")
    parser.parse_args(argv)

    from partner_notifications.settings import Settings

    settings = load_settings(Settings, parser.prog)
    configure_logging("partner_notifications", settings.log_level)
    from civic.http.server import serve
    from partner_notifications.app import create_app

    return serve(create_app(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
