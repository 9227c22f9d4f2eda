"""One ML instance of a variant: a model server process, its health, its connections.

The server runs the image's Python on ``server/model_server.py`` in the container's view
(``/opt/ml`` is the variant's folder, :mod:`..sandbox`), on a port of its own on loopback. It is
in service once ``GET /ping`` answers 200. A server that exits while in service is started again
(SageMaker replaces a failed instance); meanwhile the variant's other instances take its traffic.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sagestack.localcloud.executors import processes, sandbox

log = logging.getLogger(__name__)

SERVER_SCRIPT = Path(__file__).with_name("server") / "model_server.py"
PING_INTERVAL_SECONDS = 0.1
RESTART_BACKOFF_SECONDS = 1.0


class InstanceFailed(Exception):
    """The server did not come into service (exited, or never answered ``/ping`` in time)."""


class InstanceUnavailable(Exception):
    """The server dropped the connection (it died) before answering."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def new_instance_id() -> str:
    return "i-" + secrets.token_hex(9)[:17]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Instance:
    def __init__(
        self,
        instance_id: str,
        container_root: Path,
        python: Path,
        environment: Mapping[str, str],
        on_line: Callable[[str], None],
        health_timeout: float,
    ):
        self.instance_id = instance_id
        self.container_root = container_root
        self.python = python
        self.environment = dict(environment)
        self.on_line = on_line
        self.health_timeout = health_timeout
        self.port = 0
        self.healthy = False
        self.restarts = 0
        self._running: processes.RunningCommand | None = None
        self._stopping = threading.Event()
        self._connections: queue.SimpleQueue[http.client.HTTPConnection] = queue.SimpleQueue()

    # --- lifecycle ---

    def launch(self) -> None:
        """Start the server and wait until it answers ``/ping``; raises :class:`InstanceFailed`."""
        self.port = free_port()
        environment = {**self.environment, "SAGEMAKER_BIND_TO_PORT": str(self.port)}
        argv = sandbox.container_argv(self.container_root, [str(self.python), str(SERVER_SCRIPT)])
        self._running = processes.run(
            processes.Command(
                argv=argv, cwd=self.container_root, env=environment, on_line=self.on_line
            )
        )
        self._wait_until_pinged()
        self.healthy = True

    def _wait_until_pinged(self) -> None:
        deadline = time.monotonic() + self.health_timeout
        while time.monotonic() < deadline:
            if self._stopping.is_set():
                raise InstanceFailed("the instance was stopped while starting")
            if self._running is not None and self._running.finished:
                raise InstanceFailed(f"the model server exited with code {self._running.wait()}")
            if self._ping():
                return
            time.sleep(PING_INTERVAL_SECONDS)
        self._terminate()
        raise InstanceFailed(f"/ping did not answer 200 within {self.health_timeout:.0f} seconds")

    def _ping(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/ping")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def supervise(self) -> None:
        """From now on, a server that exits is started again (until :meth:`stop`)."""
        threading.Thread(
            target=self._supervise, name=f"{self.instance_id}-watch", daemon=True
        ).start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            running = self._running
            code = running.wait() if running is not None else None
            if self._stopping.is_set():
                return
            self.healthy = False
            self._drop_connections()
            self.on_line(f"instance {self.instance_id} stopped (exit code {code}); replacing it")
            self._stopping.wait(RESTART_BACKOFF_SECONDS * min(self.restarts, 5))
            self.restarts += 1
            try:
                self.launch()
                self.on_line(f"instance {self.instance_id} is in service again")
            except InstanceFailed as failure:
                self.on_line(f"instance {self.instance_id} did not start again: {failure}")
            except Exception:  # noqa: BLE001 - the local cloud stopped under it
                log.debug("instance %s not restarted", self.instance_id, exc_info=True)
                return

    def stop(self) -> None:
        self._stopping.set()
        self.healthy = False
        self._drop_connections()
        self._terminate()

    def _terminate(self) -> None:
        if self._running is not None:
            self._running.stop(grace_seconds=2.0)
            with contextlib.suppress(Exception):
                self._running.wait(timeout=5)

    # --- requests ---

    def forward(self, path: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
        """POST to the server; a kept-alive connection that turns out closed is retried once on
        a new one (the request never reached the server)."""
        connection, reused = self._connection(timeout)
        try:
            return self._exchange(connection, path, body, headers)
        except InstanceUnavailable:
            if not reused:
                raise
        return self._exchange(self._new_connection(timeout), path, body, headers)

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        path: str,
        body: bytes,
        headers: Mapping[str, str],
    ) -> Answer:
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
            answer = Answer(response.status, dict(response.getheaders()), response.read())
        except TimeoutError:
            connection.close()
            raise
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise InstanceUnavailable(str(error)) from error
        self._connections.put(connection)
        return answer

    def get(self, path: str, timeout: float = 5.0) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def _connection(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        try:
            connection = self._connections.get_nowait()
        except queue.Empty:
            return self._new_connection(timeout), False
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection, True

    def _new_connection(self, timeout: float) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def _drop_connections(self) -> None:
        while True:
            try:
                self._connections.get_nowait().close()
            except queue.Empty:
                return
