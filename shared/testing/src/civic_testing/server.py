"""A real HTTP server for tests whose clients cross a process boundary."""

from __future__ import annotations


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
