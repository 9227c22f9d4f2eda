"""The executors' runtime: which local cloud jobs reach when a process runs more than one."""

from __future__ import annotations

import pytest

from sagestack.localcloud.executors import runtime
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
