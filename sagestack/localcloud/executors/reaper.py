"""``python reaper.py -- COMMAND ...``: run COMMAND in this process group and take the whole group
down when the local cloud that started it dies, however it dies.

The local cloud stops its jobs itself when it stops cleanly; a ``kill -9`` or an out-of-memory
kill gives it no chance, and a build's or a job's processes would run on as orphans. This
watcher polls its parent and kills its own process group once the parent is gone. It imports
only the standard library's smallest modules, so it starts in milliseconds, and it is run as a
file (not ``-m``) so that Python does not import the sagestack package first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

POLL_SECONDS = 0.5


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(POLL_SECONDS)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def main(argv: list[str]) -> int:
    if argv[:1] != ["--"] or len(argv) < 2:
        print("usage: reaper.py -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    # the group is stopped with SIGTERM first: pass it on, then exit with the child
    child = subprocess.Popen(argv[1:])
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
