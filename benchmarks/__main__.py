"""`make bench`: every benchmark, each against a baseline measured in the same run."""

from __future__ import annotations

import json
import logging
import platform
import sys
from typing import Any

from benchmarks import (
    http_intake,
    intake_workers,
    need_scoring,
    outbox_relay,
    partner_webhooks,
    qr_redirects,
    scoring_workers,
    staff_queue,
)


def _cpu(scenario: dict[str, Any]) -> str:
    return ", ".join(f"{name} {us:.0f} us" for name, us in scenario["cpu_us_per_request"].items())


def report_redirects(qr: dict[str, Any]) -> None:
    bare = qr["bare"]
    print("GET /q/{code} (QR events) vs a bare FastAPI redirect, same uvicorn settings")
    print(f"  bare                    {bare['max']['rps']:6.0f} req/s   p99 "
          f"{bare['max']['p99_ms']:5.1f} ms;  at half max p99 {bare['at_half']['p99_ms']:.1f} ms")
    print(f"  {'':<23} CPU per request at max: {_cpu(bare)}")
    for scenario, label in (("relay_in_process", "relay in-process"),
                            ("broker_up", "relay process"),
                            ("broker_down", "  broker stopped"),
                            ("codes_10000", "  10,000 codes")):
        top, half = qr[scenario]["max"], qr[scenario]["at_half"]
        print(f"  {label:<23} {top['rps']:6.0f} req/s   p99 {top['p99_ms']:5.1f} ms"
              f"   errors {top['errors']}   ratio {qr[scenario]['ratio']:.2f} (target >= 0.7)")
        print(f"  {'':<23} at half max ({half['target_rps']:.0f} req/s offered): p50 "
              f"{half['p50_ms']:.1f} ms, p99 {half['p99_ms']:.1f} ms (target <= 10 ms), "
              f"errors {half['errors']}")
        print(f"  {'':<23} CPU per request at max: {_cpu(qr[scenario])}")
    images = qr["images_ms"]
    print(f"  images: SVG {images['svg']:.1f} ms, PNG (60 mm, 300 dpi) {images['png']:.1f} ms,"
          f" A4 PDF poster {images['pdf']:.1f} ms each\n", flush=True)


def main() -> int:
    only = sys.argv[1:]  # e.g. `python -m benchmarks qr_events`: just that one
    if only == ["qr_events"]:
        report_redirects(qr_redirects.run())
        return 0
    if only == ["partner_notifications"]:
        partner_webhooks.report(partner_webhooks.run())
        return 0
    if only == ["staff_queue"]:
        staff_queue.report(staff_queue.run())
        return 0
    if only == ["intake_workers"]:
        intake_workers.report(intake_workers.run())
        return 0
    if only == ["scoring_workers"]:
        scoring_workers.report(scoring_workers.run())
        return 0
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    # A full producer buffer is the back-pressure a throughput run is meant to reach;
    # faust warns once per batch, hundreds of lines that would bury the figures.
    logging.getLogger("faust.transport.producer").setLevel(logging.ERROR)
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"Python {platform.python_version()}\n", flush=True)

    http = http_intake.run()
    bare = http["bare"]
    print("POST /v1/cases on SQLite with the outbox relay, vs a bare FastAPI+pydantic POST")
    print(f"  bare                    {bare['rps']:6.0f} req/s   p50 {bare['p50_ms']:5.1f} ms"
          f"   p99 {bare['p99_ms']:6.1f} ms   errors {bare['errors']}")
    for layout, label in (("relay_in_process", "intake, relay in-process"),
                          ("relay_process", "intake, relay process")):
        top, half = http[layout]["max"], http[layout]["at_half"]
        print(f"  {label:<23} {top['rps']:6.0f} req/s   p50 {top['p50_ms']:5.1f} ms"
              f"   p99 {top['p99_ms']:6.1f} ms   errors {top['errors']}"
              f"   ratio {http[layout]['ratio']:.2f} (target >= 0.5)")
        print(f"  {'':<23} at half max, open loop ({half['target_rps']:.0f} req/s offered): "
              f"p50 {half['p50_ms']:.1f} ms, p99 {half['p99_ms']:.1f} ms (target <= 50 ms), "
              f"errors {half['errors']}")
    print(flush=True)
    workers = intake_workers.run()
    intake_workers.report(workers)
    queue = staff_queue.run()
    staff_queue.report(queue)

    relay = outbox_relay.run()
    print(f"Outbox relay vs raw kafka-python produce ({relay['events']} events, embedded broker)")
    print(f"  raw       {relay['raw']['events_per_s']:8.0f} events/s")
    print(f"  relay     {relay['relay']['events_per_s']:8.0f} events/s")
    print(f"  ratio     {relay['ratio']:.2f}  (target >= 0.5)\n")

    scoring = need_scoring.run()
    cases = scoring["cases"]
    print(f"Need scoring, one worker, embedded broker ({cases:,} cases on cases.submitted)")
    print(f"  raw kafka-python consume   {scoring['raw']['cases_per_s']:8.0f} cases/s")
    print(f"  faust pass-through         {scoring['faust_pass_through']['cases_per_s']:8.0f} "
          "cases/s  (consume and forward, no work: the framework's ceiling here)")
    scored = scoring["scoring"]["cases_per_s"]
    print(f"  scored and published       {scored:8.0f} cases/s"
          f"  ratio to raw {scoring['scoring']['ratio']:.2f}  (target >= 5,000 cases/s)")
    ceiling = scoring["faust_pass_through"]["cases_per_s"]
    print(f"  ratio to faust pass-through {scored / ceiling:.2f}  (target >= 0.6)")
    latency = scoring["latency"]
    print(f"  latency at {latency['rate']} cases/s       p50 {latency['p50_ms']:.0f} ms,"
          f" p99 {latency['p99_ms']:.0f} ms  (event time to scored event, "
          f"{latency['samples']} cases)")
    print(f"  replay under a new policy  {scoring['replay']['seconds']:.1f} s to rescore "
          f"{scoring['replay']['cases']:,} cases\n")
    scaled = scoring_workers.run()
    scoring_workers.report(scaled)
    qr = qr_redirects.run()
    report_redirects(qr)
    webhooks = partner_webhooks.run()
    partner_webhooks.report(webhooks)
    print(json.dumps({"http": http, "intake_workers": workers, "staff_queue": queue,
                      "outbox": relay, "need_scoring": scoring, "scoring_workers": scaled,
                      "qr_events": qr,
                      "partner_notifications": webhooks}, indent=1),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
