"""How the platform's long-running commands stop: SIGTERM (process managers, `timeout`,
docker stop) takes the same path as Ctrl-C, and once cleanup starts, further signals
wait for it to finish.

Setting a threading.Event from a signal handler is avoided on purpose: the handler runs
on the main thread, and if that thread is inside Event.wait() it deadlocks."""

from __future__ import annotations

import signal


def treat_sigterm_as_ctrl_c() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def ignore_stop_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
