"""Run a command the way the local cloud runs a build, a job or a model server.

Each command runs in a process group of its own (so stopping it stops every process it started),
under :mod:`.reaper` (so it dies with the local cloud), with stdout and stderr merged and handed
over line by line as they come. A timeout stops the group: SIGTERM, then SIGKILL after a grace
period, as ECS and SageMaker stop containers. :func:`stop_all` stops every running command; the
local cloud calls it when it stops.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

REAPER = Path(__file__).with_name("reaper.py")
STOP_GRACE_SECONDS = 5.0

LineHandler = Callable[[str], None]


@dataclass
class Command:
    argv: Sequence[str]
    cwd: Path
    env: Mapping[str, str]
    timeout_seconds: float | None = None
    on_line: LineHandler = field(default=lambda _line: None)


class RunningCommand:
    """A started :class:`Command`; :meth:`wait` gives its exit code."""

    def __init__(self, command: Command):
        self.command = command
        self.timed_out = False
        self.stopped = False
        self._popen = subprocess.Popen(
            [sys.executable, "-I", str(REAPER), "--", *command.argv],
            cwd=command.cwd,
            env=dict(command.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name="job-output", daemon=True)
        self._reader.start()
        self._timer: threading.Timer | None = None
        if command.timeout_seconds is not None:
            self._timer = threading.Timer(command.timeout_seconds, self._time_out)
            self._timer.daemon = True
            self._timer.start()
        _register(self)

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def finished(self) -> bool:
        """The command has ended (:meth:`wait` gives its exit code at once)."""
        return self._popen.poll() is not None

    def _read(self) -> None:
        assert self._popen.stdout is not None
        for raw in iter(self._popen.stdout.readline, b""):
            try:
                self.command.on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            except Exception:  # a failing log sink must not leave the pipe full and the job hung
                log.exception("the output handler of %s failed", self.command.argv[0])
        self._popen.stdout.close()

    def _time_out(self) -> None:
        self.timed_out = True
        self.stop()

    def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to the whole group, SIGKILL to what is left after ``grace_seconds``."""
        if self._popen.poll() is not None:
            return
        self.stopped = True
        _signal_group(self._popen.pid, signal.SIGTERM)
        try:
            self._popen.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            _signal_group(self._popen.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, once the command ended and all its output was handed over."""
        code = self._popen.wait(timeout=timeout)
        # the group may hold other processes that keep the pipe open: they go with the command
        _signal_group(self._popen.pid, signal.SIGKILL)
        self._reader.join()
        if self._timer is not None:
            self._timer.cancel()
        _unregister(self)
        return code


def run(command: Command) -> RunningCommand:
    """Start ``command``; it runs until it ends, times out, or is stopped."""
    return RunningCommand(command)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


_LIVE: set[RunningCommand] = set()
_LIVE_LOCK = threading.Lock()


def _register(command: RunningCommand) -> None:
    with _LIVE_LOCK:
        _LIVE.add(command)


def _unregister(command: RunningCommand) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(command)


def running() -> list[RunningCommand]:
    with _LIVE_LOCK:
        return list(_LIVE)


def stop_all(grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """Stop every command still running (the local cloud is stopping)."""
    commands = running()
    for command in commands:
        _signal_group(command.pid, signal.SIGTERM)
    for command in commands:
        command.stop(grace_seconds)
