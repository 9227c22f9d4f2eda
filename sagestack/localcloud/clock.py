"""The local cloud's clock: what time scheduled work (alarm evaluation) believes it is.

The running endpoint follows the wall clock and a background :class:`Ticker` runs whatever is due
every few seconds. Tests freeze it instead and move time by hand:

>>> with frozen() as clock:
...     clock.advance(300)   # runs everything due in the next five minutes, in order

Work registers with :func:`on_tick`; a listener gets ``(previous, now)`` and runs what fell due in
that interval (the clock never calls it for an empty interval).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sagestack import contract

log = logging.getLogger(__name__)

Listener = Callable[[datetime, datetime], None]

TICK_SECONDS = 5.0


class Clock:
    """Wall-clock time plus an offset, or (``frozen``) a time only :meth:`advance` moves."""

    def __init__(self, start: datetime | None = None, frozen: bool = False):
        self._frozen = frozen
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
        self._offset = timedelta()
        self._last_tick = self.now()
        # one tick at a time: the ticker thread and a test's advance() must not interleave
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> datetime:
        if self._frozen:
            return self._now
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move time forward by ``seconds`` and run everything that fell due; returns the time."""
        if seconds < 0:
            raise ValueError(f"seconds {seconds} is invalid: the clock only moves forward")
        with self._lock:
            if self._frozen:
                self._now += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)
            return self.tick()

    def tick(self) -> datetime:
        """Run the listeners for the time since the last tick; returns the time."""
        with self._lock:
            now = self.now()
            previous, self._last_tick = self._last_tick, now
            if now > previous:
                for listener in list(self._listeners):
                    listener(previous, now)
            return now

    def skip_to_now(self) -> None:
        """Forget the time since the last tick (a clock put back in use does not catch up)."""
        with self._lock:
            self._last_tick = self.now()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)


_current = Clock()
_listeners: list[Listener] = []


def current() -> Clock:
    """The clock the local cloud uses now."""
    return _current


def on_tick(listener: Listener) -> None:
    """Run ``listener(previous, now)`` on every tick of the current clock and of later ones."""
    if listener not in _listeners:
        _listeners.append(listener)
    _current.add_listener(listener)


def use(clock: Clock) -> Clock:
    """Make ``clock`` the local cloud's clock (its listeners carry over); returns the old one."""
    global _current
    previous = _current
    for listener in _listeners:
        clock.add_listener(listener)
    clock.skip_to_now()
    _current = clock
    return previous


@contextlib.contextmanager
def frozen(start: datetime | None = None) -> Iterator[Clock]:
    """A frozen clock for the duration of the block (starting now unless ``start`` is given)."""
    clock = Clock(start=start, frozen=True)
    previous = use(clock)
    try:
        yield clock
    finally:
        use(previous)


class Ticker:
    """A daemon thread that ticks the current clock every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = TICK_SECONDS):
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sagestack-clock", daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                current().tick()
            except Exception:  # noqa: BLE001 - one failed tick must not stop all later ones
                log.exception("scheduled work failed; the clock keeps ticking")


_ticker: Ticker | None = None

ROUTE = contract.LOCAL_CLOCK_ROUTE


def http_app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
    """``GET /_sagestack/clock`` tells the time; ``POST`` with ``{"advance": seconds}`` moves it,
    so a demo or test talking to a separate ``sagestack local up`` can drive scheduled work."""
    status = "200 OK"
    try:
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            current().advance(_seconds(request["advance"]))
        body = {"now": current().now().isoformat(), "frozen": current().frozen}
    except (KeyError, TypeError, ValueError) as error:
        status = "400 Bad Request"
        body = {
            "__type": "ValidationException",
            "message": f'expected a JSON body like {{"advance": 60}}: {error}',
        }
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


MAX_ADVANCE_SECONDS = 100 * 365 * 24 * 3600  # past a century, datetime overflows soon after


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"advance {value!r} is invalid: expected a number of seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise ValueError(
            f"advance {value!r} is invalid: expected seconds from 0 to {MAX_ADVANCE_SECONDS}"
        )
    return seconds


def ensure_ticking(interval: float = TICK_SECONDS) -> Ticker:
    """Start the process-wide ticker once (the running endpoint's evaluation loop)."""
    global _ticker
    if _ticker is None:
        _ticker = Ticker(interval).start()
    return _ticker
