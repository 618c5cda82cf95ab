"""How the platform's long-running commands stop.

SIGINT (Ctrl-C) and SIGTERM (process managers, `timeout`, docker stop) both raise
KeyboardInterrupt once; the handler ignores every later stop signal before it raises, so
cleanup always runs to the end even when a shell, `uv run` and `timeout` all pass the
same signal on. (Setting a threading.Event from a handler is avoided on purpose: the
handler runs on the main thread, and if that thread is in Event.wait() it deadlocks.)"""

from __future__ import annotations

import signal
from types import FrameType


def _stop(_signum: int, _frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def tune_gc_for_server() -> None:
    """For a long-running server, once start-up is done. Start-up objects (models,
    routes, reference data, parsers' patterns) live for the whole process; freezing them
    keeps full collections short, and request garbage is collected in fewer, larger
    young collections. Measured in make bench: case intake's p99 at saturation fell from
    ~100 ms to ~35 ms; QR events' scan writer stopped stalling redirects."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
