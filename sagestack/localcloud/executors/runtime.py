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


_current: Runtime | None = None
_owned_work_root: Path | None = None
_stop_listeners: list[Callable[[], None]] = []


def on_stop(listener: Callable[[], None]) -> None:
    """Run ``listener`` when the local cloud stops, before its processes are stopped (an
    executor marks its jobs stopped first, so a killed process is not taken for a failure)."""
    if listener not in _stop_listeners:
        _stop_listeners.append(listener)


def start(endpoint_url: str, work_root: Path | None = None) -> Runtime:
    """Record the running endpoint; jobs work under ``work_root`` (a new temporary folder,
    removed on :func:`stop`, when none is given)."""
    global _current, _owned_work_root
    if work_root is None:
        work_root = _owned_work_root = Path(tempfile.mkdtemp(prefix="sagestack-work-"))
    work_root.mkdir(parents=True, exist_ok=True)
    _current = Runtime(endpoint_url=endpoint_url.rstrip("/"), work_root=work_root)
    return _current


def current() -> Runtime:
    if _current is None:
        raise NotRunningError()
    return _current


def stop() -> None:
    """Stop every process the executors started, then forget the endpoint."""
    global _current, _owned_work_root
    for listener in list(_stop_listeners):
        listener()
    processes.stop_all()
    _current = None
    if _owned_work_root is not None:
        shutil.rmtree(_owned_work_root, ignore_errors=True)
        _owned_work_root = None
