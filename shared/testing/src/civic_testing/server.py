"""A real HTTP server for tests whose clients cross a process boundary."""

from __future__ import annotations

from typing import Any


class LiveServer:
    """Run an ASGI app under uvicorn on a free loopback port, in a thread: a real HTTP
    server for clients that cross a process boundary (browsers, Open311 clients)."""

    def __init__(self, app, port: int | None = None) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        from civic.kafka.broker import free_port

        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", access_log=False))
        self._thread: object = None

    def __enter__(self) -> LiveServer:
        import threading
        import time

        thread = threading.Thread(target=self._server.run, daemon=True)
        thread.start()
        self._thread = thread
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)  # type: ignore[attr-defined]


class ServiceProcess:
    """`python -m <service> serve` in a process of its own: what a deployment runs, and
    what a test can kill -9. ``env`` adds to this process's environment; the port goes
    in ``<SERVICE>_PORT``. ``log``: a file for its output (a failing test then shows
    why), else it is dropped."""

    def __init__(self, module: str, env: dict[str, str], port: int,
                 log: Any = None) -> None:
        import os
        import subprocess
        import sys

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "serve"],
            env={**os.environ, "CIVIC_ENV": "dev", **env, f"{module.upper()}_PORT": str(port)},
            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else
            subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, path: str = "/healthz", timeout_s: float = 60) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the service exited"
            try:
                if httpx.get(self.url + path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the service on {self.port} did not become ready")

    def kill(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        import signal
        import subprocess

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
