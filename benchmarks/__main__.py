"""`make bench`: every benchmark, each against a baseline measured in the same run."""

from __future__ import annotations

import json
import logging
import platform
import sys

from benchmarks import http_intake, outbox_relay


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"Python {platform.python_version()}\n", flush=True)

    http = http_intake.run()
    print("POST /v1/cases (SQLite, outbox relay running) vs bare FastAPI+pydantic POST")
    print(f"  bare      {http['bare']['rps']:8.0f} req/s   p50 {http['bare']['p50_ms']:6.1f} ms"
          f"   p99 {http['bare']['p99_ms']:6.1f} ms   errors {http['bare']['errors']}")
    print(f"  intake    {http['intake']['rps']:8.0f} req/s   p50 {http['intake']['p50_ms']:6.1f} ms"
          f"   p99 {http['intake']['p99_ms']:6.1f} ms   errors {http['intake']['errors']}")
    print(f"  ratio     {http['ratio']:.2f}  (target >= 0.5)")
    half = http["intake_at_half"]
    print(f"  at half max, open loop ({half['target_rps']:.0f} req/s offered, "
          f"{half['rps']:.0f} served): p50 {half['p50_ms']:.1f} ms, p99 {half['p99_ms']:.1f} ms"
          f" (target p99 <= 50 ms), errors {half['errors']}\n", flush=True)

    relay = outbox_relay.run()
    print(f"Outbox relay vs raw kafka-python produce ({relay['events']} events, embedded broker)")
    print(f"  raw       {relay['raw']['events_per_s']:8.0f} events/s")
    print(f"  relay     {relay['relay']['events_per_s']:8.0f} events/s")
    print(f"  ratio     {relay['ratio']:.2f}  (target >= 0.5)\n")
    print(json.dumps({"http": http, "outbox": relay}, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
