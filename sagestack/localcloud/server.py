"""Run the local cloud: moto's server plus the add-ons, in-process on loopback.

>>> with LocalCloud(port=0) as cloud:      # port 0: the OS picks a free port
...     boto3.client("s3", endpoint_url=cloud.url).list_buckets()

State lives in moto's in-memory backends. With ``state_dir`` every acknowledged change is
journaled there before its response, and restored on start (see
:mod:`sagestack.localcloud.durability`).
"""

from __future__ import annotations

import errno
import json
import logging
import socket
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from sagestack import contract
from sagestack.localcloud import clock, durability
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.errors import PortInUseError
from sagestack.localcloud.executors import restart, runtime
from sagestack.localcloud.host_guard import HostGuard
from sagestack.localcloud.identity import enforcement
from sagestack.localcloud.repos import routes as repos_routes
from sagestack.localcloud.services import install_all

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
SHUTDOWN_POLL_SECONDS = 0.05  # how soon stop() is noticed (the default half second adds up)


def health_document() -> dict[str, Any]:
    """``GET /_localstack/health`` in LocalStack's shape, so tools that wait on LocalStack work."""
    return {
        "services": {name: "running" for name in moto_internals.service_names()},
        "edition": "sagestack",
        "version": f"{version('sagestack')}+moto{moto_internals.MOTO_VERSION}",
    }


def _health_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = json.dumps(health_document()).encode()
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
        return [b""]
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body] if environ["REQUEST_METHOD"] == "GET" else [b""]


class LocalCloud:
    """The endpoint, served by a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        port: int = 0,
        host: str = LOOPBACK,
        state_dir: Path | None = None,
        allowed_hosts: tuple[str, ...] = (),
        allowed_origins: tuple[str, ...] = (),
        fsync: bool = False,
    ):
        self.host = host
        self.requested_port = port
        self.state_dir = state_dir
        self.allowed_hosts = allowed_hosts
        self.allowed_origins = allowed_origins
        self.fsync = fsync
        self.recovery: durability.Recovery | None = None
        self._store: durability.StateStore | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the local cloud is not running; call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalCloud:
        moto_internals.install_fixes()
        install_all()
        enforcement.install()
        moto_internals.register_route(contract.LOCAL_HEALTH_PATH, _health_app)
        moto_internals.register_route(contract.LOCAL_CLOCK_ROUTE, clock.http_app)
        moto_internals.register_route(contract.LOCAL_REPOS_ROUTE, repos_routes.app)
        app: Any = moto_internals.LocalCloudDispatcher()
        if self.state_dir is not None:
            self._store = durability.StateStore(self.state_dir, fsync=self.fsync)
            self.recovery = self._store.recover(app)
            restart.fail_interrupted()  # nothing runs what the last process was running
            log.info("state in %s: %s", self.state_dir, self.recovery.summary())
            app = durability.JournalingApp(app, self._store)
        app = HostGuard(app, self.allowed_hosts, self.allowed_origins)
        listener = self._bind()
        try:
            # werkzeug exits the process on a taken port, so the socket is bound here first
            self._server = make_server(
                self.host,
                self.requested_port,
                app,
                threaded=True,
                request_handler=moto_internals.request_handler(),
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug serves a duplicate of it
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="sagestack-localcloud",
            daemon=True,
        )
        self._thread.start()
        runtime.start(self.url, self.state_dir / "work" if self.state_dir else None, self._serving)
        repos_routes.refresh_hooks()
        return self

    def _serving(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _bind(self) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.requested_port))
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(self.host, self.requested_port) from error
            raise
        listener.listen(128)
        return listener

    def stop(self) -> None:
        if self._server is None:
            return
        runtime.stop(self.url)
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start(port: int = 0, host: str = LOOPBACK, state_dir: Path | None = None) -> LocalCloud:
    """Start the local cloud in a background thread; returns it (``.url``, ``.stop()``)."""
    return LocalCloud(port=port, host=host, state_dir=state_dir).start()
