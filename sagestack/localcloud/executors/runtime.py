"""Where the running local cloud is, for executors that need to reach it or to write files.

The server records itself on start and is forgotten on stop. A process may run more than one
local cloud (tests start their own beside the session's); they share moto's backends, so
executors use the latest one still serving, and one stopping leaves the others and their jobs
alone. When the last one stops, the stop listeners run and every running process stops. An
executor reads :func:`current` when it starts a job, never at import.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sagestack.localcloud.executors import processes


@dataclass(frozen=True)
class Runtime:
    endpoint_url: str
    """The local cloud's URL: what a job's ``AWS_ENDPOINT_URL`` is set to."""
    work_root: Path
    """Jobs, builds and model servers each get a folder below this one."""
    serving: Callable[[], bool] = field(default=lambda: True, compare=False, repr=False)
    """Whether the endpoint still answers (a server shut down without stop() does not)."""

    def work_folder(self, kind: str, name: str) -> Path:
        """A fresh folder for one job (``kind`` such as ``builds``, ``name`` unique within it)."""
        folder = self.work_root / kind / name
        folder.mkdir(parents=True, exist_ok=False)
        return folder


class NotRunningError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("the local cloud is not running: executors start with LocalCloud.start()")


# every local cloud running in this process, the latest last
_running: list[Runtime] = []
_owned: set[Path] = set()  # work roots made here, removed when their local cloud stops
_stop_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


def on_stop(listener: Callable[[], None]) -> None:
    """Run ``listener`` when the last local cloud stops, before its processes are stopped (an
    executor marks its jobs stopped first, so a killed process is not taken for a failure)."""
    if listener not in _stop_listeners:
        _stop_listeners.append(listener)


def start(
    endpoint_url: str,
    work_root: Path | None = None,
    serving: Callable[[], bool] | None = None,
) -> Runtime:
    """Record a running endpoint; its jobs work under ``work_root`` (a new temporary folder,
    removed on :func:`stop`, when none is given); ``serving`` says whether it still answers."""
    if work_root is None:
        work_root = Path(tempfile.mkdtemp(prefix="sagestack-work-"))
        with _lock:
            _owned.add(work_root)
    work_root.mkdir(parents=True, exist_ok=True)
    started = Runtime(endpoint_url.rstrip("/"), work_root, serving or (lambda: True))
    with _lock:
        _running.append(started)
    return started


def current() -> Runtime:
    """The latest local cloud of the process that still serves."""
    with _lock:
        running = list(reversed(_running))
    for candidate in running:
        if candidate.serving():
            return candidate
    raise NotRunningError()


def stop(which: str | Runtime | None = None) -> None:
    """Forget a local cloud (by endpoint URL or runtime; default: the latest started); once none
    is left, run the stop listeners and stop every process the executors started."""
    with _lock:
        stopped = _find(which)
        if stopped is None:
            return
        _running.remove(stopped)
        last = not _running
        owned = stopped.work_root in _owned
        _owned.discard(stopped.work_root)
    if last:
        for listener in list(_stop_listeners):
            listener()
        processes.stop_all()
    if owned:
        shutil.rmtree(stopped.work_root, ignore_errors=True)


def _find(which: str | Runtime | None) -> Runtime | None:
    if isinstance(which, Runtime):
        return which if which in _running else None
    wanted = which.rstrip("/") if which else None
    return next((r for r in reversed(_running) if wanted in (None, r.endpoint_url)), None)
