"""Flow 4 up to CloudWatch: the deploy's drift baseline, the endpoint's captured requests, and
one run of the drift monitor step with the parameters of the platform's schedule for the
endpoint. The step and the engine are the platform's own code (``pipelines/``); what is stood in
for here is what runs them on AWS: the endpoint writing capture files and the pipeline's
processing job (its baseline input downloaded to a folder, its environment set)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from sagestack import contract
from sagestack.scenarios.project import Project
from sagestack_pipelines.drift.baseline import build_baseline, to_json
from sagestack_pipelines.drift.monitor import SUMMARY_FILE
from sagestack_pipelines.drift_monitor import pipeline as pipeline
from sagestack_pipelines.drift_monitor import step as drift_monitor_step


@dataclass(frozen=True)
class DriftRun:
    """What one run of the drift monitor step measured and published."""

    endpoint_name: str
    max_psi: float
    violating: list[str]
    psi: dict[str, float]  # feature -> PSI, as published to CloudWatch
    log: str  # what the step printed
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


def schedule_parameters(project: Project) -> dict[str, str]:
    """The drift-monitor pipeline parameters the platform's schedule passes for this endpoint."""
    return _drift_schedule(project)[1]


def stop_drift_schedule(project: Project) -> str:
    """Disable the rule that starts the drift monitor for this endpoint (someone ran
    ``aws events disable-rule``); returns the rule's name."""
    name = _drift_schedule(project)[0]
    project.client("events").disable_rule(Name=name)
    return name


def _drift_schedule(project: Project) -> tuple[str, dict[str, str]]:
    """The scheduled rule that starts the drift monitor for this endpoint, and its parameters."""
    events = project.client("events")
    for rule in events.get_paginator("list_rules").paginate():
        for listed in rule["Rules"]:
            if not listed.get("ScheduleExpression"):
                continue
            for target in events.list_targets_by_rule(Rule=listed["Name"])["Targets"]:
                declared = target.get("SageMakerPipelineParameters", {})
                values = {p["Name"]: p["Value"] for p in declared.get("PipelineParameterList", [])}
                if values.get(pipeline.PARAM_ENDPOINT) == project.endpoint_name:
                    return listed["Name"], values
    raise LookupError(
        f"no scheduled rule starts the drift monitor for endpoint '{project.endpoint_name}'"
    )


def run_monitor_step(project: Project, started_at: datetime) -> DriftRun:
    """One execution of the drift-monitor pipeline's step, started at ``started_at`` with the
    schedule's parameters: it reads the window's capture files and publishes the metrics."""
    parameters = schedule_parameters(project)
    with tempfile.TemporaryDirectory(prefix="sagestack-drift-") as folder:
        work = Path(folder)
        baseline = work / "baseline" / "baseline.json"
        _download(project, parameters[pipeline.PARAM_BASELINE], baseline)
        argv = [
            f"--endpoint-name={parameters[pipeline.PARAM_ENDPOINT]}",
            f"--capture-s3-prefix={parameters[pipeline.PARAM_CAPTURE]}",
            f"--window-hours={parameters[pipeline.PARAM_WINDOW_HOURS]}",
            f"--window-end={started_at.astimezone(UTC).isoformat()}",
            f"--psi-threshold={parameters[pipeline.PARAM_PSI_THRESHOLD]}",
            f"--min-requests={parameters[pipeline.PARAM_MIN_REQUESTS]}",
            f"--capture-dir={work / 'capture'}",
            f"--baseline={baseline}",
            f"--output={work / 'output'}",
            "--publish-metrics",
        ]
        output = io.StringIO()
        with (
            _step_environment(project),
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
        ):
            status = drift_monitor_step.main(argv, s3=project.client("s3"))
        if status != 0:
            raise RuntimeError(f"the drift monitor step failed ({status}):\n{output.getvalue()}")
        window = contract.drift_window_folder(drift_monitor_step.window_end(started_at))
        summary_path = work / "output" / window / SUMMARY_FILE
        if not summary_path.exists():
            raise RuntimeError(f"the drift monitor step measured nothing:\n{output.getvalue()}")
        summary = json.loads(summary_path.read_text())
        reports = _upload_outputs(project, work / "output", parameters[pipeline.PARAM_REPORT])
    return DriftRun(
        endpoint_name=parameters[pipeline.PARAM_ENDPOINT],
        max_psi=summary["max_psi"],
        violating=summary["violating_features"],
        psi={item["name"]: item["psi"] for item in summary["features"]},
        log=output.getvalue(),
        report_uri=f"{reports}/{window}/{contract.DRIFT_REPORT_FILE}",
    )


def publish_drift_from_window(project: Project, requests: pd.DataFrame, now: datetime) -> DriftRun:
    """The endpoint captured ``requests`` in the hour before ``now``; the drift monitor's run
    at ``now`` measures them against the baseline and publishes the drift metrics."""
    write_capture(project, requests, now - timedelta(hours=1))
    return run_monitor_step(project, now)


def _upload_outputs(project: Project, folder: Path, report_prefix: str) -> str:
    """What the processing job's output does at the end of the job: every file of ``folder``
    under ``report_prefix`` (the pipeline's ReportS3Prefix), keeping the layout; returns it."""
    bucket, prefix = drift_monitor_step.split_s3_uri(report_prefix)
    s3 = project.client("s3")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(folder).as_posix()}")
    return report_prefix.rstrip("/")


def _download(project: Project, uri: str, destination: Path) -> None:
    bucket, key = drift_monitor_step.split_s3_uri(uri)
    destination.parent.mkdir(parents=True, exist_ok=True)
    project.client("s3").download_file(bucket, key, str(destination))


@contextlib.contextmanager
def _step_environment(project: Project) -> Iterator[None]:
    """What the processing job's container has: the region (the definition's Environment) and,
    locally, the endpoint its SDK calls must reach (the engine creates its own client)."""
    credentials = project.cloud.session.get_credentials()
    wanted = {
        "AWS_ENDPOINT_URL": project.cloud.endpoint,
        "AWS_DEFAULT_REGION": project.cloud.region,
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
