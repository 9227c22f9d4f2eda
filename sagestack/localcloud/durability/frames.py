"""The state folder's file format: a header, then frames, each authenticated.

A file starts with :data:`MAGIC` and a header frame (JSON: format, sagestack and moto versions).
A frame is ``length (4 bytes) | HMAC-SHA256 of the payload (32 bytes) | payload``, keyed with the
folder's own key, so a frame that was torn by a crash mid-write, corrupted, or written by anyone
without the key is told apart from a good one, and nothing is unpickled unless it verifies.
Reading stops at the first frame that does not verify: what came before is the readable prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"SAGESTACK-STATE\n"
FORMAT = 1
_LENGTH = struct.Struct(">I")
_MAC_SIZE = hashlib.sha256().digest_size


def frame(key: bytes, payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + _mac(key, payload) + payload


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def header_frame(key: bytes, fields: dict[str, Any]) -> bytes:
    return MAGIC + frame(key, json.dumps({"format": FORMAT, **fields}).encode())


@dataclass
class ReadResult:
    header: dict[str, Any] | None
    payloads: list[bytes] = field(default_factory=list)
    good_bytes: int = 0  # length of the readable prefix
    problem: str | None = None  # why reading stopped early, if it did


def read(path: Path, key: bytes) -> ReadResult:
    """Every verified frame of ``path`` up to the first that does not verify."""
    with path.open("rb") as stream:
        if stream.read(len(MAGIC)) != MAGIC:
            return ReadResult(None, problem=f"{path.name} is not a sagestack state file")
        frames = _frames(stream, key)
        first = next(frames, None)
        if not isinstance(first, bytes):
            return ReadResult(None, problem=first or f"{path.name} has no header")
        result = ReadResult(json.loads(first), good_bytes=stream.tell())
        for item in frames:
            if isinstance(item, str):
                result.problem = item
                break
            result.payloads.append(item)
            result.good_bytes = stream.tell()
        return result


def _frames(stream: BinaryIO, key: bytes) -> Iterator[bytes | str]:
    while True:
        start = stream.tell()
        prefix = stream.read(_LENGTH.size + _MAC_SIZE)
        if not prefix:
            return
        if len(prefix) < _LENGTH.size + _MAC_SIZE:
            yield f"a torn frame at byte {start} ({len(prefix)} bytes of its header)"
            return
        (length,) = _LENGTH.unpack(prefix[: _LENGTH.size])
        payload = stream.read(length)
        if len(payload) < length:
            yield f"a torn frame at byte {start} ({len(payload)} of {length} bytes)"
            return
        if not hmac.compare_digest(prefix[_LENGTH.size :], _mac(key, payload)):
            yield f"a frame at byte {start} that does not verify (corrupt, or another key's)"
            return
        yield payload
