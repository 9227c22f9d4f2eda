"""Which requests change state, and a request as the journal keeps it (and replays it).

A request is journaled unless it only reads: GET, HEAD and OPTIONS (except the paths a route
declares stateful, such as SNS's SubscribeURL), and operations named as reads (``Get...``,
``List...``, ``Describe...``). Journaling a read would be harmless, only slower.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud import moto as moto_internals

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_OPERATION = re.compile(r"(Get|List|Describe|BatchGet|Search|Query|Scan|Head|Lookup)[A-Z]")
_ACTION = re.compile(rb"(?:^|&)Action=([A-Za-z0-9]+)")
_KEPT_KEYS = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH")
_HEADER_LENGTH = struct.Struct(">I")


def changes_state(environ: dict[str, Any], body: bytes) -> bool:
    if environ.get("REQUEST_METHOD", "GET") in _READ_METHODS:
        return moto_internals.is_stateful_get(environ.get("PATH_INFO", ""))
    operation = _operation(environ, body)
    return not (operation and _READ_OPERATION.match(operation))


def _operation(environ: dict[str, Any], body: bytes) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    found = _ACTION.search(environ.get("QUERY_STRING", "").encode()) or _ACTION.search(body)
    return found[1].decode() if found else None


@dataclass(frozen=True)
class Record:
    seq: int
    seed: int
    at: float
    environ: dict[str, Any]  # the request's method, path, query and headers
    body: bytes

    def encode(self) -> bytes:
        header = json.dumps(
            {"seq": self.seq, "seed": self.seed, "at": self.at, "environ": self.environ}
        ).encode()
        return _HEADER_LENGTH.pack(len(header)) + header + self.body

    @classmethod
    def decode(cls, payload: bytes) -> Record:
        (length,) = _HEADER_LENGTH.unpack(payload[: _HEADER_LENGTH.size])
        header = json.loads(payload[_HEADER_LENGTH.size : _HEADER_LENGTH.size + length])
        body = payload[_HEADER_LENGTH.size + length :]
        return cls(header["seq"], header["seed"], header["at"], header["environ"], body)


def kept_environ(environ: dict[str, Any]) -> dict[str, Any]:
    kept = {key: environ[key] for key in _KEPT_KEYS if key in environ}
    kept.update({k: v for k, v in environ.items() if k.startswith("HTTP_")})
    preserved = environ.get(moto_internals.PRESERVED_HEADER_NAMES_KEY)
    if isinstance(preserved, dict):  # S3 metadata headers keep their spelling
        kept[moto_internals.PRESERVED_HEADER_NAMES_KEY] = preserved
    return kept


def replay_environ(record: Record) -> dict[str, Any]:
    return {
        **record.environ,
        "CONTENT_LENGTH": str(len(record.body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "0",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(record.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
