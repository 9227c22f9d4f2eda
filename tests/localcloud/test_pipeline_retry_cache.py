"""A step's RetryPolicies run it again after the failures they name; its CacheConfig reuses an
earlier successful run with the same key attributes instead of running it again."""

from __future__ import annotations

import pytest
from pipeline_runs import python_step

from sagestack.localcloud.executors.jobs import failures
from sagestack.localcloud.executors.jobs.processing import ProcessingRunner

RETRY_INTERNAL_ERRORS = [
    {
        "ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"],
        "IntervalSeconds": 1,
        "BackoffRate": 1.0,
        "MaxAttempts": 3,
    }
]


@pytest.fixture
def first_job_fails_internally(fresh_local_cloud, monkeypatch):
    """The first processing job to start fails with SageMaker's internal error (a fault the
    service, not the job, causes); later jobs run."""
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("injects a fault into sagestack's job executor")
    prepare, failed = ProcessingRunner.prepare, []

    def failing_once(self, job):
        if not failed:
            failed.append(job.name)
            raise failures.internal_error()
        return prepare(self, job)

    monkeypatch.setattr(ProcessingRunner, "prepare", failing_once)
    return failed


def _jobs(world) -> list[str]:
    return [
        j["ProcessingJobName"]
        for j in world.sagemaker.list_processing_jobs()["ProcessingJobSummaries"]
    ]


def test_a_retry_policy_runs_a_job_that_failed_internally_again(world, first_job_fails_internally):
    step = python_step("Flaky", "print('ran')", world.role, RetryPolicies=RETRY_INTERNAL_ERRORS)
    world.create_pipeline("retried", [step])
    described, ran = world.run("retried")
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert ran["Flaky"]["AttemptCount"] == 2
    [failed] = first_job_fails_internally
    assert sorted(_jobs(world)) == sorted(
        [failed, ran["Flaky"]["Metadata"]["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]]
    )
    reason = world.sagemaker.describe_processing_job(ProcessingJobName=failed)["FailureReason"]
    assert reason.startswith("InternalServerError")


def test_without_a_policy_for_it_the_failure_ends_the_step(world, first_job_fails_internally):
    other = [{**RETRY_INTERNAL_ERRORS[0], "ExceptionType": ["SageMaker.CAPACITY_ERROR"]}]
    world.create_pipeline(
        "unretried", [python_step("Flaky", "print('ran')", world.role, RetryPolicies=other)]
    )
    described, ran = world.run("unretried")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert ran["Flaky"]["AttemptCount"] == 1
    assert ran["Flaky"]["FailureReason"].startswith("InternalServerError")
    assert ran["Flaky"]["FailureReason"].endswith(
        "No retry policy configured for the exception type SAGEMAKER_JOB_INTERNAL_ERROR."
    )


def _cached_pipeline(world) -> None:
    argument = {"Std:Join": {"On": "", "Values": ["seed=", {"Get": "Parameters.Seed"}]}}
    cached = python_step(
        "Prepare",
        "import sys; print(sys.argv)",
        world.role,
        arguments=[argument],
        CacheConfig={"Enabled": True, "ExpireAfter": "PT1H"},
    )
    uncached = python_step("Report", "print('report')", world.role, DependsOn=["Prepare"])
    parameters = [{"Name": "Seed", "Type": "Integer", "DefaultValue": 1}]
    world.create_pipeline("cached", [cached, uncached], parameters)


def test_a_cached_step_takes_the_earlier_run_instead_of_running_again(world):
    _cached_pipeline(world)
    first, first_steps = world.run("cached")
    second, second_steps = world.run("cached")
    assert second["PipelineExecutionStatus"] == "Succeeded"
    hit = second_steps["Prepare"]
    assert hit["CacheHitResult"] == {"SourcePipelineExecutionArn": first["PipelineExecutionArn"]}
    assert hit["Metadata"] == first_steps["Prepare"]["Metadata"]
    assert "CacheHitResult" not in second_steps["Report"]
    assert len(_jobs(world)) == 3  # Prepare once, Report twice


def test_a_changed_key_attribute_misses_the_cache(world):
    _cached_pipeline(world)
    world.run("cached")
    _, changed = world.run("cached", Seed="2")
    assert "CacheHitResult" not in changed["Prepare"]
    assert len(_jobs(world)) == 4
