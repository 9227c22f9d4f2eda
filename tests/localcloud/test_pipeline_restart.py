"""A local cloud with a state folder that stops in the middle of an execution: after the restart
the execution and its job are over (Failed, saying why), and nothing runs them again."""

from __future__ import annotations

import time

import boto3
import pytest
from pipeline_runs import World, definition, execution_role, python_step

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors import jobs, pipelines, restart
from sagestack.localcloud.server import LocalCloud

pytestmark = pytest.mark.slow
NAP = "import time; time.sleep(120)"


def _clients(url: str):
    return (boto3.client(name, endpoint_url=url) for name in ("sagemaker", "s3", "iam"))


def _crash(cloud: LocalCloud) -> None:
    """What a kill -9 leaves: no stop, no snapshot; the journal alone carries the state."""
    cloud._server.shutdown()
    cloud._server.server_close()
    cloud._store._journal.close()
    moto_internals.reset_state()  # as if the process had ended (its jobs end with it)


def test_an_execution_and_a_job_cut_short_by_a_crash_are_failed_after_the_restart(
    tmp_path, in_process
):
    first = LocalCloud(port=0, state_dir=tmp_path / "state").start()
    sagemaker, s3, iam = _clients(first.url)
    s3.create_bucket(Bucket=World.BUCKET)
    role = execution_role(iam, "restart", World.BUCKET)
    nap = python_step("Nap", NAP, role)
    sagemaker.create_pipeline(
        PipelineName="cut", RoleArn=role, PipelineDefinition=definition([nap])
    )
    execution = sagemaker.start_pipeline_execution(PipelineName="cut")["PipelineExecutionArn"]
    sagemaker.create_processing_job(
        ProcessingJobName="cut-job",
        RoleArn=role,
        **{k: v for k, v in nap["Arguments"].items() if k != "RoleArn"},
    )
    _started(sagemaker, "cut-job")
    _crash(first)

    with LocalCloud(port=0, state_dir=tmp_path / "state") as second:
        sagemaker = boto3.client("sagemaker", endpoint_url=second.url)
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution)
        assert described["PipelineExecutionStatus"] == "Failed"
        assert described["FailureReason"] == restart.EXECUTION_REASON
        job = sagemaker.describe_processing_job(ProcessingJobName="cut-job")
        assert (job["ProcessingJobStatus"], job["FailureReason"]) == ("Failed", restart.JOB_REASON)
        # the replay remade the records; it runs nothing again (the crashed process's job is
        # stopped by the reset, which may take a moment on a loaded machine; a rerun would last
        # the script's two minutes)
        assert _eventually_none(
            lambda: jobs.find(
                moto_internals.DEFAULT_ACCOUNT_ID, "us-east-1", "ProcessingJob", "cut-job"
            )
        )
        assert _eventually_none(lambda: pipelines.find(execution))


def _eventually_none(lookup, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while lookup() is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _started(sagemaker, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sagemaker.describe_processing_job(ProcessingJobName=name).get("ProcessingStartTime"):
            return
        time.sleep(0.1)
    raise TimeoutError(f"job {name} did not start")
