"""Flow 4 up to CloudWatch: the deploy's drift baseline, the endpoint's captured requests, and
one run of the platform's drift-monitor pipeline, started as the platform's schedule for the
endpoint starts it (its EventBridge target's parameters). The pipeline is the real one, run by
the local cloud: its processing job fetches the window's capture files and runs the drift engine
(``pipelines/``), which writes the window's report and publishes the metrics. What is stood in
for here is the endpoint writing capture files."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from sagestack import contract
from sagestack.localcloud import frozen_clock
from sagestack.scenarios.executions import job_log_lines, wait_for_execution
from sagestack.scenarios.project import Project
from sagestack_pipelines.drift.baseline import build_baseline, to_json
from sagestack_pipelines.drift.monitor import SUMMARY_FILE
from sagestack_pipelines.drift_monitor import pipeline as pipeline
from sagestack_pipelines.drift_monitor import step as drift_monitor_step

PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"


@dataclass(frozen=True)
class DriftRun:
    """What one run of the drift-monitor pipeline measured and published."""

    endpoint_name: str
    max_psi: float
    violating: list[str]
    psi: dict[str, float]  # feature -> PSI, as published to CloudWatch
    log: str  # what its processing job printed
    report_uri: str  # the window's HTML report, where the processing job uploads it


def write_baseline(project: Project, training: pd.DataFrame) -> str:
    """The drift baseline of ``training`` where the deploy build writes it; returns its URI."""
    baseline = build_baseline(training, features=project.drift_features)
    key = contract.drift_baseline_key(project.name)
    body = json.dumps(to_json(baseline)).encode()
    project.client("s3").put_object(Bucket=project.bucket, Key=key, Body=body)
    return project.s3_uri(key)


def write_capture(project: Project, requests: pd.DataFrame, captured_at: datetime) -> str:
    """``requests`` as one SageMaker data capture file of the endpoint's variant, in the hour
    folder of ``captured_at`` (CSV payloads, in the drift features' order); returns its URI."""
    endpoint = project.endpoint_name
    key = (
        f"{contract.data_capture_prefix(project.name)}/{endpoint}/{contract.ENDPOINT_VARIANT}/"
        f"{captured_at.astimezone(UTC):%Y/%m/%d/%H}/{uuid.uuid4()}.jsonl"
    )
    rows = requests[project.drift_features].to_csv(header=False, index=False).splitlines()
    inference_time = captured_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [json.dumps(_capture_record(row, inference_time)) for row in rows]
    project.client("s3").put_object(Bucket=project.bucket, Key=key, Body="\n".join(lines).encode())
    return project.s3_uri(key)


def _capture_record(csv_row: str, inference_time: str) -> dict:
    return {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": csv_row,
                "encoding": "CSV",
            },
            "endpointOutput": {
                "observedContentType": "text/csv",
                "mode": "OUTPUT",
                "data": "0.5",
                "encoding": "CSV",
            },
        },
        "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": inference_time},
        "eventVersion": "0",
    }


@dataclass(frozen=True)
class DriftSchedule:
    """The scheduled rule that starts the drift monitor for one endpoint."""

    rule: str
    pipeline: str  # the drift-monitor pipeline its target starts
    parameters: dict[str, str]  # the pipeline parameters the target passes


def schedule_parameters(project: Project) -> dict[str, str]:
    """The drift-monitor pipeline parameters the platform's schedule passes for this endpoint."""
    return drift_schedule(project).parameters


def stop_drift_schedule(project: Project) -> str:
    """Disable the rule that starts the drift monitor for this endpoint (someone ran
    ``aws events disable-rule``); returns the rule's name."""
    name = drift_schedule(project).rule
    project.client("events").disable_rule(Name=name)
    return name


def drift_schedule(project: Project) -> DriftSchedule:
    """The scheduled rule that starts the drift monitor for this endpoint, and its target."""
    events = project.client("events")
    for rule in events.get_paginator("list_rules").paginate():
        for listed in rule["Rules"]:
            if not listed.get("ScheduleExpression"):
                continue
            for target in events.list_targets_by_rule(Rule=listed["Name"])["Targets"]:
                declared = target.get("SageMakerPipelineParameters", {})
                values = {p["Name"]: p["Value"] for p in declared.get("PipelineParameterList", [])}
                if values.get(pipeline.PARAM_ENDPOINT) == project.endpoint_name:
                    return DriftSchedule(listed["Name"], target["Arn"].rsplit("/", 1)[-1], values)
    raise LookupError(
        f"no scheduled rule starts the drift monitor for endpoint '{project.endpoint_name}'"
    )


def run_drift_monitor(project: Project, started_at: datetime) -> DriftRun:
    """One execution of the drift-monitor pipeline with the schedule's parameters, started at
    ``started_at`` (the local cloud's time; a local cloud in this process is held there while
    the run starts): its job reads the capture files of the complete hours before and publishes
    the metrics. Raises, with the job's log, unless the execution succeeded and measured."""
    schedule = drift_schedule(project)
    arn, log = execute_drift_monitor(project, started_at)
    reports = schedule.parameters[pipeline.PARAM_REPORT].rstrip("/")
    window = contract.drift_window_folder(drift_monitor_step.window_end(started_at))
    bucket, _, key = f"{reports}/{window}/{SUMMARY_FILE}".removeprefix("s3://").partition("/")
    s3 = project.client("s3")
    try:
        summary = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        raise RuntimeError(f"the drift monitor run {arn} measured nothing:\n{log}") from None
    return DriftRun(
        endpoint_name=schedule.parameters[pipeline.PARAM_ENDPOINT],
        max_psi=summary["max_psi"],
        violating=summary["violating_features"],
        psi={item["name"]: item["psi"] for item in summary["features"]},
        log=log,
        report_uri=f"{reports}/{window}/{contract.DRIFT_REPORT_FILE}",
    )


def publish_drift_from_window(project: Project, requests: pd.DataFrame, now: datetime) -> DriftRun:
    """The endpoint captured ``requests`` in the hour before ``now``; the drift monitor's run
    at ``now`` measures them against the baseline and publishes the drift metrics."""
    write_capture(project, requests, now - timedelta(hours=1))
    return run_drift_monitor(project, now)


def execute_drift_monitor(project: Project, started_at: datetime) -> tuple[str, str]:
    """Start the drift monitor for the project's endpoint at ``started_at`` as its schedule
    would, and wait: the execution's ARN and its job's log. Raises unless it succeeded."""
    schedule = drift_schedule(project)
    sagemaker = project.client("sagemaker")
    given = [{"Name": key, "Value": value} for key, value in schedule.parameters.items()]
    with frozen_clock(start=started_at):
        arn = sagemaker.start_pipeline_execution(
            PipelineName=schedule.pipeline, PipelineParameters=given
        )["PipelineExecutionArn"]
        described = wait_for_execution(sagemaker, arn)
    log = "\n".join(_job_log(project, arn))
    if described["PipelineExecutionStatus"] != "Succeeded":
        raise RuntimeError(
            f"the drift monitor run {arn} ended {described['PipelineExecutionStatus']}: "
            f"{described.get('FailureReason', '')}\n{log}"
        )
    return arn, log


def _job_log(project: Project, execution_arn: str) -> list[str]:
    """What the run's processing job printed (CloudWatch Logs)."""
    steps = project.client("sagemaker").list_pipeline_execution_steps(
        PipelineExecutionArn=execution_arn
    )["PipelineExecutionSteps"]
    logs, lines = project.client("logs"), []
    for step in steps:
        job_arn = step.get("Metadata", {}).get("ProcessingJob", {}).get("Arn")
        if job_arn is not None:
            lines += job_log_lines(logs, PROCESSING_LOG_GROUP, job_arn.rsplit("/", 1)[-1])
    return lines
