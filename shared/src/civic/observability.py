"""Prometheus metrics shared by every service, and structured logging.

Metric names follow ``civic_<service>_<what>``. Label values are only ever topic names,
route templates, channels, categories and the like: never ids or personal data.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import TypeVar

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

M = TypeVar("M", bound=MetricWrapperBase)
_created: dict[str, MetricWrapperBase] = {}


def metric_prefix(service: str) -> str:
    return "civic_" + service.replace("-", "_")


def _get_or_create(kind: type[M], name: str, doc: str, labels: Sequence[str], **kw: object) -> M:
    # Services, tests and the dev runner may build the same component more than once
    # in one process; Prometheus refuses a second registration of a name.
    existing = _created.get(name)
    if existing is not None:
        if not isinstance(existing, kind):
            raise TypeError(f"metric {name} already registered as {type(existing).__name__}")
        return existing
    created = kind(name, doc, labelnames=tuple(labels), registry=REGISTRY, **kw)  # type: ignore[arg-type]
    _created[name] = created
    return created


def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
    return _get_or_create(Counter, name, doc, labels)


def gauge(name: str, doc: str, labels: Sequence[str] = ()) -> Gauge:
    return _get_or_create(Gauge, name, doc, labels)


def histogram(name: str, doc: str, labels: Sequence[str] = (),
              buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS) -> Histogram:
    return _get_or_create(Histogram, name, doc, labels, buckets=tuple(buckets))


def configure_logging(service: str, level: str | None = None) -> None:
    """One line per record, prefixed with the service, so `make dev` output reads well.

    Log messages name ids and outcomes, never residents' details: the services keep
    personal data out of every format string.
    """
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))
