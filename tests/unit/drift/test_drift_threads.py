"""The engine's threads: calls shared as threads free up, results and errors in call order."""

from __future__ import annotations

import threading

import pytest

from sagestack_pipelines.drift import threads

WAIT = 10.0  # seconds: far longer than any call here takes unless it is held up


@pytest.fixture(autouse=True)
def two_threads(monkeypatch):
    """Two threads and pools made for them, whatever this machine's cores."""
    monkeypatch.setattr(threads, "THREADS", 2)
    threads.workers.cache_clear()
    threads.readers.cache_clear()
    yield
    threads.workers.cache_clear()
    threads.readers.cache_clear()


def test_a_call_held_up_leaves_every_other_call_to_the_other_thread():
    # Dealt out in advance, half of the calls would queue behind call 0 on its thread, and call 0
    # waits for all of them: only calls taken as threads free up let it finish.
    others_done = threading.Event()
    count = 12
    finished = []

    def held_up():
        assert others_done.wait(WAIT), "the other calls were held up behind this one"
        return "held"

    def other(index):
        finished.append(index)
        if len(finished) == count - 1:
            others_done.set()
        return index

    calls = [held_up, *(lambda index=index: other(index) for index in range(1, count))]
    assert threads.parallel(calls) == ["held", *range(1, count)]


def test_every_call_runs_and_the_first_error_in_call_order_is_raised():
    ran = []

    def fails(index):
        ran.append(index)
        raise ValueError(f"call {index}")

    def succeeds(index):
        ran.append(index)

    calls = [
        lambda index=index: (fails if index in (3, 7) else succeeds)(index) for index in range(10)
    ]
    for _ in range(20):  # whichever thread meets which error first
        ran.clear()
        with pytest.raises(ValueError, match="^call 3$"):
            threads.parallel(calls)
        assert sorted(ran) == list(range(10))


def test_ordered_results_keep_the_calls_order_while_later_calls_run_ahead():
    # Call 0 finishes only once call 1 has: run one at a time, or yielded as they finish,
    # the results would not come back as [0, 1, 2, ...].
    second_done = threading.Event()

    def first():
        assert second_done.wait(WAIT), "call 1 did not run while call 0 was running"
        return 0

    def second():
        second_done.set()
        return 1

    calls = [first, second, *(lambda index=index: index for index in range(2, 8))]
    assert list(threads.ordered(calls, ahead=2)) == list(range(8))


def test_ordered_raises_a_calls_error_where_its_result_would_come():
    def broken():
        raise OSError("unreadable block")

    results = threads.ordered([lambda: 0, broken, lambda: 2], ahead=2)
    assert next(results) == 0
    with pytest.raises(OSError, match="unreadable block"):
        next(results)
