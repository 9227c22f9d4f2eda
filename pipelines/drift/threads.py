"""Calls run on every core at once, for work that releases the GIL (numpy, Arrow).

Counting uses one pool of worker threads, the caller working too (a 2-core machine runs one
worker); reading capture files uses another, so that a block being parsed never delays a count
waiting for its helper. In :func:`parallel`, calls are taken from a shared list as each thread
finishes its previous one, not dealt out in advance: on a machine shared with other jobs one
thread is often descheduled, and the other then takes over its share instead of waiting for it.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import TypeVar

T = TypeVar("T")

THREADS = max(1, min(4, os.cpu_count() or 1))  # the caller's and the workers'


@cache
def workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, THREADS - 1), thread_name_prefix="drift")


@cache
def readers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="drift-read")


def parallel(calls: list[Callable[[], T]], threads: bool = True) -> list[T]:
    """The results of ``calls``, in order. Every call runs; then the error of the first call
    (in list order) that raised is raised, so the outcome does not depend on the scheduling."""
    if not threads or THREADS == 1 or len(calls) < 2:
        return [call() for call in calls]
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(calls)):
        pending.put(index)
    outcomes: list = [None] * len(calls)
    errors: dict[int, BaseException] = {}
    helpers = [
        workers().submit(_drain, calls, pending, outcomes, errors)
        for _ in range(min(THREADS, len(calls)) - 1)
    ]
    _drain(calls, pending, outcomes, errors)
    for helper in helpers:
        helper.result()
    if errors:
        raise errors[min(errors)]
    return outcomes


def _drain(calls, pending: queue.SimpleQueue, outcomes: list, errors: dict) -> None:
    while True:
        try:
            index = pending.get_nowait()
        except queue.Empty:
            return
        try:
            outcomes[index] = calls[index]()
        except Exception as error:  # raised by parallel() once every call has run
            errors[index] = error


def ordered(calls: Iterable[Callable[[], T]], ahead: int = THREADS) -> Iterator[T]:
    """The results of ``calls``, in order, with up to ``ahead`` of them running on the reading
    pool while the caller consumes the earlier ones."""
    running: list[Future] = []
    for call in calls:
        running.append(readers().submit(call))
        if len(running) > ahead:
            yield running.pop(0).result()
    while running:
        yield running.pop(0).result()
