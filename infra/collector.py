"""The garbage collector's settings for a run of the program.

A run allocates millions of short-lived objects (every Output is an asyncio task with its
futures) and frees nearly all of them by reference count. CPython's cyclic collector, at its
default thresholds, still walks every live object on each full collection, and with thousands of
resources that made the run superlinear: more than half of a 50-project run's CPU time
(``benchmarks/program_size.py``: 13.0 s with the defaults, 6.4 s with these settings, 5.0 s with
no collection at all). The objects alive before the program starts (the imported SDKs) are frozen
out of collection, and collections run far less often; cycles are still collected, so memory
stays bounded in a long run.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

THRESHOLDS = (200_000, 50, 1000)


def tune_for_this_process() -> None:
    """For ``pulumi up``: the language host runs one program per process."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextlib.contextmanager
def tuned() -> Iterator[None]:
    """For one run in a process that goes on afterwards (tests, the applier, benchmarks)."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
