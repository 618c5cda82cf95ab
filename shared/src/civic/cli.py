"""The `civic` command: run the dev broker, apply topics, tail a topic, run everything."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from civic.observability import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    broker = sub.add_parser("broker", help="run the embedded in-memory broker until Ctrl-C")
    broker.add_argument("--port", type=int, default=9092)
    broker.add_argument("--no-topics", action="store_true", help="do not create the topics")

    topics = sub.add_parser("topics", help="manage topics")
    topics_sub = topics.add_subparsers(dest="action", required=True)
    apply = topics_sub.add_parser("apply", help="create missing topics from infra/topics.yaml")
    apply.add_argument("--bootstrap-servers", default=None)
    topics_sub.add_parser("list", help="list the registry's topics")

    tail = sub.add_parser("tail", help="pretty-print CloudEvents from a topic as they arrive")
    tail.add_argument("topic")
    tail.add_argument("--bootstrap-servers", default=None)
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=None, help="stop after this many events")
    tail.add_argument("--timeout", type=float, default=None,
                      help="stop after this many seconds idle")
    tail.add_argument("--compact", action="store_true", help="one JSON object per line")

    contracts = sub.add_parser("contracts", help="event contract files")
    contracts_sub = contracts.add_subparsers(dest="action", required=True)
    export = contracts_sub.add_parser("export", help="write JSON Schemas and AsyncAPI")
    export.add_argument("--check", action="store_true", help="fail if committed files are stale")

    dev = sub.add_parser("dev", help="run the broker and every service, seeded, until Ctrl-C")
    dev.add_argument("--plan", type=Path, default=None,
                     help="what to run (default: infra/dev.yaml)")

    args = parser.parse_args(argv)
    configure_logging("civic")
    if args.command == "broker":
        return _broker(args.port, not args.no_topics)
    if args.command == "topics":
        return _topics(args)
    if args.command == "tail":
        from civic.tail import tail as run_tail

        return run_tail(args.topic, _servers(args.bootstrap_servers), args.from_beginning,
                        args.max, args.timeout, compact=args.compact)
    if args.command == "contracts":
        return _contracts(args.check)
    if args.command == "dev":
        from civic.devrunner import run

        return run(args.plan)
    return 2


def _servers(given: str | None) -> str:
    import os

    return given or os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092"


def _broker(port: int, with_topics: bool) -> int:
    from civic.kafka.broker import EmbeddedBroker
    from civic.kafka.topics import TopicRegistry
    from civic.process import stop_on_signals

    stop_on_signals()
    with EmbeddedBroker(port=port) as broker:
        if with_topics:
            TopicRegistry.load().apply(broker.bootstrap_servers)
        print(f"embedded broker (in memory) at {broker.bootstrap_servers}; Ctrl-C stops it",
              flush=True)
        try:
            while broker.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass  # the broker stops as the with-block ends
    return 0


def _topics(args: argparse.Namespace) -> int:
    from civic.kafka.topics import TopicRegistry

    registry = TopicRegistry.load()
    if args.action == "list":
        for spec in registry.topics:
            print(json.dumps(spec.model_dump()))
        return 0
    created = registry.apply(_servers(args.bootstrap_servers))
    print(f"created {len(created)} topic(s): {', '.join(created) or 'none needed'}")
    return 0


def _contracts(check: bool) -> int:
    from civic.contracts.export import stale, write
    from civic.kafka.topics import TopicRegistry
    from civic.paths import infra_dir

    target = Path(infra_dir()).parent / "shared" / "contracts"
    registry = TopicRegistry.load()
    if check:
        drift = stale(target, registry)
        if drift:
            print("stale contract files (run `civic contracts export`):", *drift, sep="\n  ")
            return 1
        print("contract files are up to date")
        return 0
    for path in write(target, registry):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    logging.basicConfig()
    sys.exit(main())
