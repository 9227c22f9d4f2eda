"""The executors' runtime: which local cloud jobs reach when a process runs more than one (a
test's own beside the session's), and what one of them stopping leaves running."""

from __future__ import annotations

import os
import subprocess

import pytest

from sagestack.localcloud.executors import processes, runtime
from sagestack.localcloud.server import LocalCloud


def test_stopping_a_second_local_cloud_leaves_the_first_one_current(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("reads the in-process runtime")
    before = runtime.current()
    second = LocalCloud(port=0).start()
    assert runtime.current().endpoint_url == second.url
    second_root = runtime.current().work_root
    second.stop()
    assert runtime.current() == before
    assert not second_root.exists()  # its own temporary work folder went with it


def test_a_second_local_cloud_stopping_leaves_the_first_and_its_commands_running(tmp_path):
    first = runtime.start("http://127.0.0.1:1", tmp_path / "first")
    second = runtime.start("http://127.0.0.1:2", tmp_path / "second")
    command = processes.run(
        processes.Command(["sleep", "30"], cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    )
    try:
        assert runtime.current() is second
        runtime.stop(second)
        assert runtime.current() is first
        with pytest.raises(subprocess.TimeoutExpired):
            command.wait(timeout=0.5)  # still running
    finally:
        runtime.stop(first)
        command.stop(grace_seconds=0)


def test_a_local_cloud_that_stopped_serving_without_stop_is_not_current(tmp_path):
    serving = [True]
    first = runtime.start("http://127.0.0.1:1", tmp_path / "first")
    second = runtime.start("http://127.0.0.1:2", tmp_path / "second", lambda: serving[0])
    try:
        assert runtime.current() is second
        serving[0] = False  # its server shut down, as a crash test does, with no stop()
        assert runtime.current() is first
    finally:
        runtime.stop(second)
        runtime.stop(first)
