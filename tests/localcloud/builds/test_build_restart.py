"""A local cloud with a state folder that stops in the middle of a build: after the restart the
build is over (FAULT, saying why) and nothing runs its commands again."""

from __future__ import annotations

import boto3
import pytest
from conftest import create_project, wait_for

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors import restart
from sagestack.localcloud.executors.builds import scheduler
from sagestack.localcloud.server import LocalCloud

pytestmark = pytest.mark.slow
SLEEPY = "version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 120\n"


def _crash(cloud: LocalCloud) -> None:
    """What a kill -9 leaves: no stop, no snapshot; the journal alone carries the state."""
    cloud._server.shutdown()
    cloud._server.server_close()
    cloud._store._journal.close()
    moto_internals.reset_state()


def test_a_build_cut_short_by_a_crash_is_a_fault_after_the_restart(
    tmp_path, in_process, monkeypatch
):
    first = LocalCloud(port=0, state_dir=tmp_path / "state").start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", first.url)
    codebuild = boto3.client("codebuild")
    create_project(codebuild, name="cut", source_type="NO_SOURCE", buildspec=SLEEPY)
    build_id = codebuild.start_build(projectName="cut")["build"]["id"]
    wait_for(
        lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0]["currentPhase"] == "BUILD"
    )
    scheduler.stop_all()  # the process's builds end with it
    _crash(first)

    with LocalCloud(port=0, state_dir=tmp_path / "state") as second:
        build = boto3.client("codebuild", endpoint_url=second.url).batch_get_builds(ids=[build_id])[
            "builds"
        ][0]
        assert (build["buildStatus"], build["buildComplete"]) == ("FAULT", True)
        assert build["phases"][-1]["contexts"][0]["message"] == restart.BUILD_REASON
        assert scheduler.active(build_id) is None  # the replay remade the record, ran nothing
