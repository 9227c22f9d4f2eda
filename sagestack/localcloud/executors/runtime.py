"""Where the running local cloud is, for executors that need to reach it or to write files.

The server sets it on start and clears it on stop (which also stops every running process). An
executor reads :func:`current` when it starts a job, never at import.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sagestack.localcloud.executors import processes


@dataclass(frozen=True)
class Runtime:
    endpoint_url: str
    """The local cloud's URL: what a job's ``AWS_ENDPOINT_URL`` is set to."""
    work_root: Path
    """Jobs, builds and model servers each get a folder below this one."""

    def work_folder(self, kind: str, name: str) -> Path:
        """A fresh folder for one job (``kind`` such as ``builds``, ``name`` unique within it)."""
        folder = self.work_root / kind / name
        folder.mkdir(parents=True, exist_ok=False)
        return folder


class NotRunningError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("the local cloud is not running: executors start with LocalCloud.start()")


# every local cloud running in this process, the latest last (tests start a second one beside
# the session's; stopping it must not leave the first without its runtime)
_running: list[Runtime] = []
_owned: set[Path] = set()  # work roots made here, removed when their local cloud stops
_stop_listeners: list[Callable[[], None]] = []


def on_stop(listener: Callable[[], None]) -> None:
    """Run ``listener`` when the local cloud stops, before its processes are stopped (an
    executor marks its jobs stopped first, so a killed process is not taken for a failure)."""
    if listener not in _stop_listeners:
        _stop_listeners.append(listener)


def start(endpoint_url: str, work_root: Path | None = None) -> Runtime:
    """Record the running endpoint; jobs work under ``work_root`` (a new temporary folder,
    removed on :func:`stop`, when none is given)."""
    if work_root is None:
        work_root = Path(tempfile.mkdtemp(prefix="sagestack-work-"))
        _owned.add(work_root)
    work_root.mkdir(parents=True, exist_ok=True)
    started = Runtime(endpoint_url=endpoint_url.rstrip("/"), work_root=work_root)
    _running.append(started)
    return started


def current() -> Runtime:
    if not _running:
        raise NotRunningError()
    return _running[-1]


def stop(endpoint_url: str | None = None) -> None:
    """Stop every process the executors started, then forget the endpoint (``endpoint_url``'s,
    or the latest started); a local cloud still running in this process stays current."""
    for listener in list(_stop_listeners):
        listener()
    processes.stop_all()
    wanted = endpoint_url.rstrip("/") if endpoint_url else None
    stopped = next((r for r in reversed(_running) if wanted in (None, r.endpoint_url)), None)
    if stopped is None:
        return
    _running.remove(stopped)
    if stopped.work_root in _owned:
        _owned.discard(stopped.work_root)
        shutil.rmtree(stopped.work_root, ignore_errors=True)
