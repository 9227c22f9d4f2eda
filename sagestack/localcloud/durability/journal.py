"""The journal: every acknowledged state change, appended before its response goes out.

:class:`JournalingApp` wraps the endpoint's WSGI application: a request that changes state runs
in a gate section (:mod:`.gate`), and its record (request, seed, time) is appended to the journal
file before the response is returned. With ``fsync`` the append also reaches the disk before the
response (survives a power cut); without, it reaches the operating system (survives any crash of
the local cloud's process: ``kill -9``, the OOM killer, a closed terminal).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.durability import frames
from sagestack.localcloud.durability.gate import GATE
from sagestack.localcloud.durability.records import Record, changes_state, kept_environ


class Journal:
    """An append-only file of :class:`Record` frames."""

    def __init__(self, path: Path, key: bytes, header: dict[str, Any], fsync: bool) -> None:
        self.path = path
        self._key = key
        self._fsync = fsync
        self._lock = threading.Lock()
        self.records = 0
        self.next_seq = 1
        self._file = self._open(header)

    def _open(self, header: dict[str, Any]) -> Any:
        if not self.path.exists() or self.path.stat().st_size == 0:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, frames.header_frame(self._key, header))
            os.fsync(fd)
            os.close(fd)
        return self.path.open("ab", buffering=0)

    def append(self, record: Record) -> None:
        data = frames.frame(self._key, record.encode())
        with self._lock:
            self._file.write(data)
            if self._fsync:
                os.fsync(self._file.fileno())
            self.records += 1

    def close(self) -> None:
        self._file.close()


class JournalingApp:
    """The endpoint's application, journaling each request that changes state."""

    def __init__(self, app: Callable[..., Any], store: Any) -> None:
        self.app = app
        self.store = store

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        body = moto_internals.read_body(environ)
        if not changes_state(environ, body):
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
            captured.update(status=status, headers=headers)
            return lambda _data: None

        with GATE.section() as section:
            response = b"".join(self.app(environ, capture))
            seq = self.store.claim_seq()
            self.store.record(Record(seq, section.seed, section.at, kept_environ(environ), body))
        start_response(captured["status"], captured["headers"])
        return [response]
