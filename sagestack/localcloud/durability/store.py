"""The state folder: its key, its snapshot and its journal; recovery on start, compaction.

- ``state.key``: 32 random bytes (mode 0600) that authenticate every frame written here;
- ``snapshot.bin``: every backend, pickled, as of journal record ``last_seq``;
- ``journal.bin``: each state change since, in order (see :mod:`.journal`).

On start the snapshot is restored and the journal's records after it are replayed; whatever
cannot be read (a torn tail, another version's backend) is skipped and reported, never a crash.
Every ``compact_every`` records, and on a clean stop, a new snapshot replaces the journal, so a
restart replays little. The folder must be the user's alone (mode 0700): only its owner could
have written what is unpickled, and the key makes sure of it.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.durability import frames, snapshot
from sagestack.localcloud.durability.gate import GATE
from sagestack.localcloud.durability.journal import Journal
from sagestack.localcloud.durability.records import Record, replay_environ
from sagestack.localcloud.errors import StatePermissionError

log = logging.getLogger(__name__)

KEY_FILE = "state.key"
SNAPSHOT_FILE = "snapshot.bin"
JOURNAL_FILE = "journal.bin"
COMPACT_EVERY = 10_000


@dataclass
class Recovery:
    """What came back on start, and what did not."""

    backends: int = 0
    replayed: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"restored {self.backends} backends and replayed {self.replayed} changes"
        return text + "".join(f"; {problem}" for problem in self.problems)


def versions() -> dict[str, str]:
    return {"sagestack": version("sagestack"), "moto": moto_internals.MOTO_VERSION}


class StateStore:
    def __init__(self, folder: Path, fsync: bool = False, compact_every: int = COMPACT_EVERY):
        self.folder = folder
        self.fsync = fsync
        self.compact_every = compact_every
        self._key = _folder_key(folder)
        self._last_seq = 0
        self._journal: Journal | None = None
        self._compacting = threading.Lock()

    def recover(self, app: Callable[..., Any]) -> Recovery:
        """Restore the snapshot, replay the journal through ``app``, and open the journal."""
        recovery = Recovery()
        moto_internals.set_long_poll_waiter(_long_poll_between_changes)
        self._restore_snapshot(recovery)
        self._replay_journal(app, recovery)
        for problem in recovery.problems:
            log.warning("state in %s: %s", self.folder, problem)
        self._journal = Journal(self.folder / JOURNAL_FILE, self._key, versions(), self.fsync)
        return recovery

    def claim_seq(self) -> int:
        self._last_seq += 1
        return self._last_seq

    def record(self, record: Record) -> None:
        assert self._journal is not None, "recover() opens the journal"
        self._journal.append(record)
        if self._journal.records >= self.compact_every and not self._compacting.locked():
            threading.Thread(target=self.compact, name="sagestack-compact", daemon=True).start()

    def compact(self) -> list[str]:
        """Snapshot every backend and start an empty journal; returns backends not saved."""
        with self._compacting, GATE.section():
            payloads, skipped = snapshot.dump_backends()
            header = {**versions(), "last_seq": self._last_seq}
            _write_atomically(
                self.folder / SNAPSHOT_FILE,
                frames.header_frame(self._key, header)
                + b"".join(frames.frame(self._key, p) for p in payloads),
            )
            if self._journal is not None:
                self._journal.close()
            (self.folder / JOURNAL_FILE).unlink(missing_ok=True)
            self._journal = Journal(self.folder / JOURNAL_FILE, self._key, versions(), self.fsync)
        for reason in skipped:
            log.warning("state: %s", reason)
        return skipped

    def close(self) -> list[str]:
        skipped = self.compact()
        if self._journal is not None:
            self._journal.close()
        moto_internals.set_long_poll_waiter(None)
        return skipped

    def _restore_snapshot(self, recovery: Recovery) -> None:
        path = self.folder / SNAPSHOT_FILE
        if not path.exists():
            return
        read = frames.read(path, self._key)
        if read.header is None:
            recovery.problems.append(f"snapshot skipped: {read.problem}")
            return
        _note_versions(read.header, "snapshot", recovery)
        recovery.backends, problems = snapshot.restore_backends(read.payloads)
        recovery.problems += problems
        if read.problem:
            recovery.problems.append(f"snapshot read up to {read.problem}")
        self._last_seq = int(read.header.get("last_seq", 0))

    def _replay_journal(self, app: Callable[..., Any], recovery: Recovery) -> None:
        path = self.folder / JOURNAL_FILE
        if not path.exists():
            return
        read = frames.read(path, self._key)
        if read.header is None:
            recovery.problems.append(f"journal skipped: {read.problem}")
            path.unlink()
            return
        _note_versions(read.header, "journal", recovery)
        GATE.replaying = True
        try:
            for payload in read.payloads:
                record = Record.decode(payload)
                if record.seq <= self._last_seq:
                    continue  # already in the snapshot (a crash between the two writes)
                _replay(app, record, recovery)
                self._last_seq = record.seq
        finally:
            GATE.replaying = False
        if read.problem:
            dropped = path.stat().st_size - read.good_bytes
            recovery.problems.append(
                f"journal read up to {read.problem}; {dropped} bytes after it dropped"
            )
            os.truncate(path, read.good_bytes)


def _long_poll_between_changes(_queue: Any, seconds: float) -> bool:
    """An SQS long poll, journaled as one change, lets others through while it waits; replayed,
    it does not wait (what it received then is there at once, or it received nothing)."""
    if GATE.replaying:
        return False
    GATE.pause(min(seconds, 0.05))
    return True


def _replay(app: Callable[..., Any], record: Record, recovery: Recovery) -> None:
    statuses: list[str] = []
    with GATE.section(seed=record.seed, at=record.at):
        b"".join(app(replay_environ(record), lambda s, _h, _e=None: statuses.append(s)))
    recovery.replayed += 1
    if statuses and statuses[0].startswith("5"):
        method, path = record.environ.get("REQUEST_METHOD"), record.environ.get("PATH_INFO")
        recovery.problems.append(f"change {record.seq} ({method} {path}) failed on replay")


def _note_versions(header: dict[str, Any], what: str, recovery: Recovery) -> None:
    if {k: header.get(k) for k in ("sagestack", "moto")} != versions():
        recovery.problems.append(
            f"{what} written by sagestack {header.get('sagestack')} / moto {header.get('moto')}, "
            f"read by sagestack {versions()['sagestack']} / moto {versions()['moto']}"
        )


def _folder_key(folder: Path) -> bytes:
    """The folder's key, after checking the folder is its owner's alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_private(folder)
    key_path = folder / KEY_FILE
    if not key_path.exists():
        _write_atomically(key_path, secrets.token_bytes(32))
    _check_private(key_path)
    return key_path.read_bytes()


def _check_private(path: Path) -> None:
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StatePermissionError(path, stat.S_IMODE(info.st_mode), info.st_uid)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    with open(partial, "wb", opener=lambda name, flags: os.open(name, flags, 0o600)) as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    partial.replace(path)
