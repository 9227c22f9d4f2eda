"""Stopping the local cloud stops the jobs it runs, and a killed local cloud leaves none behind:
`sagestack local up` in a process of its own, a processing job in it that reports its process id
and sleeps, then SIGTERM (a clean stop) or SIGKILL (no chance to clean up) to the local cloud."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from pipeline_runs import SKLEARN_IMAGE, World, execution_role

pytestmark = pytest.mark.slow

JOB = (
    "import boto3, os, time; boto3.client('s3').put_object(Bucket='{bucket}', Key='pid', "
    "Body=str(os.getpid())); time.sleep(300)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def cloud_with_a_sleeping_job():
    """A separate local cloud running one processing job; yields (process, job's pid)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cloud = subprocess.Popen(
        [Path(sys.executable).with_name("sagestack"), "local", "up", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _until(lambda: _healthy(url), 60), "the local cloud did not start"
        session = boto3.Session()
        s3, sagemaker = (session.client(name, endpoint_url=url) for name in ("s3", "sagemaker"))
        s3.create_bucket(Bucket=World.BUCKET)
        role = execution_role(session.client("iam", endpoint_url=url), "jobs", World.BUCKET)
        sagemaker.create_processing_job(
            ProcessingJobName="sleeper",
            RoleArn=role,
            AppSpecification={
                "ImageUri": SKLEARN_IMAGE,
                "ContainerEntrypoint": ["python3", "-c", JOB.format(bucket=World.BUCKET)],
            },
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 1,
                }
            },
        )
        assert _until(lambda: _object(s3, "pid") is not None, 60), "the job did not start"
        yield cloud, int(_object(s3, "pid"))
    finally:
        if cloud.poll() is None:
            cloud.kill()
            cloud.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=1) as response:
            return "services" in json.loads(response.read())
    except OSError:
        return False


def _object(s3, key: str) -> str | None:
    try:
        return s3.get_object(Bucket=World.BUCKET, Key=key)["Body"].read().decode()
    except s3.exceptions.NoSuchKey:
        return None


def test_stopping_the_local_cloud_stops_its_running_jobs(cloud_with_a_sleeping_job):
    cloud, job = cloud_with_a_sleeping_job
    assert _alive(job)
    cloud.send_signal(signal.SIGTERM)
    cloud.wait(timeout=30)
    # stopped by the local cloud itself before it exits (the reaper would take a moment more)
    assert _until(lambda: not _alive(job), 0.2), "the job outlived the local cloud's stop"


def test_a_killed_local_cloud_leaves_no_job_behind(cloud_with_a_sleeping_job):
    cloud, job = cloud_with_a_sleeping_job
    cloud.send_signal(signal.SIGKILL)
    cloud.wait()
    assert _until(lambda: not _alive(job), 10), "the job outlived the killed local cloud"
