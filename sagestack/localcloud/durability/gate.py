"""One state change at a time, each reproducible: what makes a journal replay to the same state.

While a journal is open, every journaled change (a mutating request) runs in a *section*: the
gate's lock is held (the journal's order is the order changes happened in), moto's random source
and Python's are seeded with a fresh seed, and the wall clock is frozen at the section's start
(``time_machine``: moto stamps creation times with ``datetime.now``). The seed and the time go
into the journal with the request, so a replay draws the same ids, ARNs, receipt handles and
timestamps. Freezing the clock is process-wide: for the few milliseconds of a write, other
threads read the same instant, which nothing in the local cloud minds (timeouts use monotonic
time, which stays untouched).
"""

from __future__ import annotations

import contextlib
import random
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import time_machine

from sagestack.localcloud import moto as moto_internals


@dataclass
class Section:
    seed: int
    at: float  # epoch seconds the clock is frozen at


class WriteGate:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._local = threading.local()
        self.replaying = False

    def current(self) -> Section | None:
        return getattr(self._local, "section", None)

    @contextlib.contextmanager
    def section(self, seed: int | None = None, at: float | None = None) -> Iterator[Section]:
        """Run a change under the lock, with seeded randomness and a frozen clock."""
        with self._lock:
            outer = self.current()
            if outer is not None:  # a change made while making another: one section
                yield outer
                return
            self._local.section = section = Section(
                seed if seed is not None else secrets.randbits(63),
                at if at is not None else time.time(),
            )
            try:
                with _reproducible(section):
                    yield section
            finally:
                self._local.section = None

    def pause(self, seconds: float) -> None:
        """Let other changes through for ``seconds`` (a long poll waiting for a message); the
        section goes on with a new seed and time, which the journal records instead."""
        section = self.current()
        if section is None:
            time.sleep(seconds)
            return
        traveller = self._local.traveller
        traveller.stop()
        depth = _release_all(self._lock)
        try:
            time.sleep(seconds)
        finally:
            _acquire(self._lock, depth)
            section.seed, section.at = secrets.randbits(63), time.time()
            _seed(section.seed)
            self._local.traveller = time_machine.travel(_instant(section.at), tick=False)
            self._local.traveller.start()


@contextlib.contextmanager
def _reproducible(section: Section) -> Iterator[None]:
    _seed(section.seed)
    gate = GATE
    gate._local.traveller = time_machine.travel(_instant(section.at), tick=False)
    gate._local.traveller.start()
    try:
        yield
    finally:
        gate._local.traveller.stop()


def _seed(seed: int) -> None:
    moto_internals.mock_random.seed(seed)
    random.seed(seed)


def _instant(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _release_all(lock: threading.RLock) -> int:
    depth = 0
    while lock._is_owned():  # type: ignore[attr-defined]
        lock.release()
        depth += 1
    return depth


def _acquire(lock: threading.RLock, depth: int) -> None:
    for _ in range(depth):
        lock.acquire()


GATE = WriteGate()


def replaying() -> bool:
    """True while the journal is being replayed: work that reaches outside the process (HTTP
    deliveries, starting builds or endpoints) must not happen again."""
    return GATE.replaying
