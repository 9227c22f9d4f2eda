"""The whole loop, as people and AWS do it, against a deployed stack: a generated project pushed,
built, trained and registered; approved and deployed; served; watched for drift; paged; retrained.

Each stage is a function of :class:`Loop` that returns what it saw in one line and raises
:class:`StageFailed` (saying where to look) when the platform did not do its part. Nothing here
writes what an actor on AWS would write: the loop pushes commits, approves a package, sends
requests and moves the clock where AWS would wait for a schedule or an alarm period; the build,
the pipelines, the deploy build, the endpoint, the drift monitor, CloudWatch and EventBridge do
the rest.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sagestack import contract
from sagestack.clients import AwsClients
from sagestack.localcloud import SnsReceiver
from sagestack.scenarios import builds, generated_project, traffic
from sagestack.scenarios.alarms import drift_alarm
from sagestack.scenarios.clock import advance_clock
from sagestack.scenarios.drift import drift_schedule
from sagestack.scenarios.executions import job_log_lines, wait_for_execution
from sagestack.scenarios.oncall import Page, pages, subscribe_receiver, wait_for_page
from sagestack.scenarios.project import Project, find_project
from sagestack.scenarios.retrain import training_executions
from sagestack_pipelines.drift.monitor import SUMMARY_FILE

SAGESTACK_MONITOR = "sagestack"  # the config's drift.monitor default
APPROVED = "Approved"
PENDING = "PendingManualApproval"
DRIFT_SHIFT_IN_STANDARD_DEVIATIONS = 1.5
WINDOW_ROWS = 4_000  # above the drift engine's smallest judged window (2,902 requests)
LOG_TAIL_LINES = 40


class StageFailed(RuntimeError):
    """A stage's platform step did not happen; ``log`` says where its log is."""

    def __init__(self, message: str, log: str = ""):
        super().__init__(message)
        self.log = log


def loop_project(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first project of a stack config watched by the sagestack drift monitor (Model
    Monitor's jobs do not run locally); None when there is none."""
    for project in config.get("projects") or []:
        if (project.get("drift") or {}).get("monitor", SAGESTACK_MONITOR) == SAGESTACK_MONITOR:
            return project
    return None


@dataclass
class Evidence:
    """What the loop saw, for the report: logs' tails, the drift report, the pages."""

    logs: dict[str, list[str]] = field(default_factory=dict)  # title -> last lines
    drift_report_html: str = ""
    drift_report_uri: str = ""
    pages: list[Page] = field(default_factory=list)


@dataclass
class Loop:
    """The loop for one project of a deployed stack; run its stages in :data:`STAGES` order."""

    endpoint: str
    stack: str
    entry: Mapping[str, Any]  # the project's entry in the stack config
    checkout: Path  # the sagestack checkout the template comes from
    workdir: Path  # where the project is generated
    receiver: SnsReceiver
    region: str = "us-east-1"
    evidence: Evidence = field(default_factory=Evidence)
    project: Project | None = None
    folder: Path | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    codebuild: builds.BuildProjects | None = None
    remote: str = ""  # the git remote of the project's repository
    package_arn: str = ""

    @property
    def name(self) -> str:
        return str(self.entry["name"])

    def generate(self) -> str:
        """cruft create with the stack's answers; the repository registered; on-call listening."""
        self.project = find_project(
            AwsClients(self.endpoint, region=self.region), self.stack, self.name
        )
        subscribe_receiver(self.project, self.receiver)
        self.answers = generated_project.answers_for(self.stack, self.entry)
        self.folder = generated_project.generate(self.checkout, self.answers, self.workdir)
        self.remote = generated_project.create_repository(
            self.endpoint, self.name, self.answers["repository_url"]
        )
        generated_project.commit_all(self.folder, "Generated from sagestack's template")
        self.codebuild = builds.build_projects(self.project)
        return f"{self.folder} from the template; its repository {self.remote}"

    def build(self) -> str:
        """git push to main: the webhook starts the build (install, lint, tests, pipeline)."""
        project, codebuild = self._project(), self._codebuild()
        seen = builds.build_ids(project, codebuild.build)
        pushed = generated_project.push(self._folder(), self.remote)
        build = self._finished_build("push build", codebuild.build, seen)
        return f"commit {pushed.commit[:7]} built: {build['id']} SUCCEEDED"

    def train(self) -> str:
        """The training pipeline the build started runs to a package pending approval."""
        project = self._project()
        [execution] = training_executions(project) or [None]
        if execution is None:
            raise StageFailed(f"the build started no execution of {project.pipeline_name}")
        self.package_arn = self._registered_package(execution.arn, "push")
        return f"{execution.arn.rsplit('/', 1)[-1]} registered {self.package_arn} ({PENDING})"

    def deploy(self) -> str:
        """Approve the package: the approval rule starts the deploy build, which brings the
        endpoint up (capturing requests) and smoke-tests it."""
        project, codebuild = self._project(), self._codebuild()
        seen = builds.build_ids(project, codebuild.deploy)
        project.client("sagemaker").update_model_package(
            ModelPackageArn=self.package_arn, ModelApprovalStatus=APPROVED
        )
        build = self._finished_build("deploy build", codebuild.deploy, seen)
        described = traffic.endpoint_status(project)
        if described["EndpointStatus"] != "InService":
            raise StageFailed(f"endpoint {project.endpoint_name} is {described['EndpointStatus']}")
        prediction = traffic.invoke(project, self._requests().head(1))
        return (
            f"deploy build {build['id']} SUCCEEDED; {project.endpoint_name} InService, "
            f"capturing; one request answered {prediction.strip()}"
        )

    def quiet_hour(self) -> str:
        """Requests like the training data: the drift monitor's next run finds nothing."""
        project = self._project()
        sent = traffic.send(project, self._requests())
        run = self._next_drift_run()
        window = self._judged_window(run)
        if window["violating_features"]:
            raise StageFailed(
                f"requests like the training data violate: {window['violating_features']}"
            )
        self._let_alarms_evaluate()
        paged = [p for p in pages(self.receiver) if p.state == "ALARM"]
        if paged:
            raise StageFailed(f"requests like the training data paged: {paged[0].subject}")
        return (
            f"{window['rows']:,} rows in {sent} requests; drift run {run}: max PSI "
            f"{window['max_psi']:.3f}, no feature violates; nobody paged"
        )

    def drift(self) -> str:
        """Requests with one feature moved: the next run measures it, its alarm pages on-call."""
        project = self._project()
        feature = project.drift_features[0]
        sent = traffic.send(project, self._requests(shift=feature))
        run = self._next_drift_run()
        window = self._judged_window(run)
        if feature not in window["violating_features"]:
            raise StageFailed(f"drift run {run} found no drift in {feature}: {window}")
        self._let_alarms_evaluate()
        alarm = drift_alarm(project, feature)["AlarmName"]
        try:
            page = wait_for_page(self.receiver, alarm, timeout=30)
        except TimeoutError as error:
            raise StageFailed(str(error)) from None
        same = [p for p in pages(self.receiver) if (p.alarm_name, p.state) == (alarm, "ALARM")]
        if len(same) != 1:
            raise StageFailed(f"{alarm} entering ALARM paged {len(same)} times, not once")
        self.evidence.pages.append(page)
        self._keep_drift_report()
        return (
            f"{window['rows']:,} rows in {sent} requests with {feature} moved; drift run {run}: "
            f"violating {', '.join(window['violating_features'])}; paged: {page.subject}"
        )

    def retrain(self) -> str:
        """The retrain rule started the training pipeline with the drift trigger: version 2."""
        project = self._project()
        started = [e for e in training_executions(project) if _is_drift_triggered(e.parameters)]
        if not started:
            if not self.entry.get("autoRetrain"):
                return f"none started: autoRetrain is off for {self.name}"
            raise StageFailed("the drift alarm started no training execution")
        package = self._registered_package(started[0].arn, contract.PIPELINE_TRIGGER_DRIFT)
        described = project.client("sagemaker").describe_model_package(ModelPackageName=package)
        execution = started[0].arn.rsplit("/", 1)[-1]
        return f"{execution} registered version {described['ModelPackageVersion']}"

    # --- helpers --------------------------------------------------------------------------

    def _finished_build(self, title: str, codebuild_project: str, seen: set[str]) -> dict:
        """The new build of ``codebuild_project``, its log kept; raises unless it SUCCEEDED."""
        project = self._project()
        build = builds.wait_for_build(project, codebuild_project, seen)
        self._keep_log(title, builds.build_log(project, build))
        if build["buildStatus"] != "SUCCEEDED":
            raise StageFailed(
                f"{title} {build['id']} ended {build['buildStatus']} in "
                f"{builds.failed_phase(build) or build.get('currentPhase')}",
                log=_log_place(build),
            )
        return build

    def _registered_package(self, execution_arn: str, trigger: str) -> str:
        sagemaker = self._project().client("sagemaker")
        described = wait_for_execution(sagemaker, execution_arn)
        steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn)[
            "PipelineExecutionSteps"
        ]
        self._keep_job_logs(steps, trigger)
        if described["PipelineExecutionStatus"] != "Succeeded":
            failed = [
                f"{s['StepName']}: {s.get('FailureReason')}" for s in steps if "FailureReason" in s
            ]
            raise StageFailed(
                f"{execution_arn} ended {described['PipelineExecutionStatus']}: "
                f"{'; '.join(failed) or described.get('FailureReason', '')}",
                log="CloudWatch Logs /aws/sagemaker/ProcessingJobs and TrainingJobs",
            )
        registered = [
            s["Metadata"]["RegisterModel"]["Arn"]
            for s in steps
            if "RegisterModel" in s.get("Metadata", {})
        ]
        if not registered:
            raise StageFailed(f"{execution_arn} succeeded without registering a model")
        package = sagemaker.describe_model_package(ModelPackageName=registered[0])
        if package["ModelApprovalStatus"] != PENDING:
            raise StageFailed(f"{registered[0]} is {package['ModelApprovalStatus']}, not {PENDING}")
        return registered[0]

    def _requests(self, shift: str | None = None) -> pd.DataFrame:
        """Rows drawn from the data the registered model trained on (its package says where),
        without the target; ``shift`` moved up by 1.5 of its standard deviations."""
        training = self._training_data()
        generator = np.random.default_rng(11 if shift is None else 13)
        rows = training.iloc[generator.integers(0, len(training), WINDOW_ROWS)].reset_index(
            drop=True
        )
        if shift is not None:
            rows[shift] = rows[shift] + DRIFT_SHIFT_IN_STANDARD_DEVIATIONS * training[shift].std()
        return rows

    def _training_data(self) -> pd.DataFrame:
        project = self._project()
        package = project.client("sagemaker").describe_model_package(
            ModelPackageName=self.package_arn
        )
        location = package["CustomerMetadataProperties"]["data_location"]
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        s3 = project.client("s3")
        keys = [
            o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        ]
        frames = [
            pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
            for key in keys
            if key.endswith(".csv")
        ]
        if not frames:
            raise StageFailed(f"no CSV training data under {location}")
        return pd.concat(frames).drop(
            columns=[self.answers.get("target_column", "target")], errors="ignore"
        )

    def _next_drift_run(self) -> str:
        """Move the clock an hour: the platform's schedule starts the drift monitor, which
        measures the hour before; returns its execution's id once it succeeded."""
        project = self._project()
        pipeline = drift_schedule(project).pipeline
        sagemaker = project.client("sagemaker")
        before = _execution_arns(sagemaker, pipeline)
        advance_clock(self.endpoint, 3600)
        started = [arn for arn in _execution_arns(sagemaker, pipeline) if arn not in before]
        if not started:
            raise StageFailed(f"an hour passed and the schedule started no {pipeline} execution")
        for arn in started:
            described = wait_for_execution(sagemaker, arn)
            if described["PipelineExecutionStatus"] != "Succeeded":
                raise StageFailed(
                    f"drift monitor run {arn} ended {described['PipelineExecutionStatus']}: "
                    f"{described.get('FailureReason', '')}",
                    log="CloudWatch Logs /aws/sagemaker/ProcessingJobs",
                )
        return started[-1].rsplit("/", 1)[-1]

    def _judged_window(self, run: str) -> dict[str, Any]:
        """The summary of the window drift run ``run`` measured; raises unless it was judged."""
        project = self._project()
        prefix = contract.drift_report_prefix(project.name) + "/"
        s3 = project.client("s3")
        listed = s3.list_objects_v2(Bucket=project.bucket, Prefix=prefix).get("Contents", [])
        summaries = sorted(o["Key"] for o in listed if o["Key"].endswith("/" + SUMMARY_FILE))
        if not summaries:
            raise StageFailed(f"drift run {run} wrote no window summary under {prefix}")
        body = s3.get_object(Bucket=project.bucket, Key=summaries[-1])["Body"].read()
        window = json.loads(body)
        if not window["judged"]:
            raise StageFailed(f"drift run {run}: {window['not_judged_because']}")
        return window

    def _let_alarms_evaluate(self) -> None:
        """Past the end of the alarm period that holds the run's metrics (the schedule's next
        run, over an hour with no requests, publishes no drift value)."""
        period = int(drift_alarm(self._project(), None)["Period"])
        if period >= 3600:
            self._next_drift_run()
        else:
            advance_clock(self.endpoint, period + 60)

    def _keep_drift_report(self) -> None:
        project = self._project()
        prefix = contract.drift_report_prefix(project.name) + "/"
        s3 = project.client("s3")
        listed = s3.list_objects_v2(Bucket=project.bucket, Prefix=prefix).get("Contents", [])
        reports = sorted(
            (o for o in listed if o["Key"].endswith(contract.DRIFT_REPORT_FILE)),
            key=lambda o: o["Key"],
        )
        if reports:
            key = reports[-1]["Key"]
            self.evidence.drift_report_uri = project.s3_uri(key)
            self.evidence.drift_report_html = (
                s3.get_object(Bucket=project.bucket, Key=key)["Body"].read().decode()
            )

    def _keep_job_logs(self, steps: list[dict], trigger: str) -> None:
        logs = self._project().client("logs")
        for step in steps:
            for kind, group in (
                ("ProcessingJob", "ProcessingJobs"),
                ("TrainingJob", "TrainingJobs"),
            ):
                arn = step.get("Metadata", {}).get(kind, {}).get("Arn")
                if arn:
                    lines = job_log_lines(logs, f"/aws/sagemaker/{group}", arn.rsplit("/", 1)[-1])
                    self._keep_log(f"{step['StepName']} ({trigger})", lines)

    def _keep_log(self, title: str, lines: list[str]) -> None:
        self.evidence.logs[title] = lines[-LOG_TAIL_LINES:]

    def _project(self) -> Project:
        if self.project is None:
            raise StageFailed("the project was not generated (its stage did not run)")
        return self.project

    def _folder(self) -> Path:
        if self.folder is None:
            raise StageFailed("the project was not generated (its stage did not run)")
        return self.folder

    def _codebuild(self) -> builds.BuildProjects:
        if self.codebuild is None:
            raise StageFailed("the project's build projects were not found")
        return self.codebuild


STAGES = (
    ("project", Loop.generate),
    ("build", Loop.build),
    ("training", Loop.train),
    ("deploy", Loop.deploy),
    ("quiet hour", Loop.quiet_hour),
    ("drift page", Loop.drift),
    ("retraining", Loop.retrain),
)


def _is_drift_triggered(parameters: Mapping[str, str]) -> bool:
    return parameters.get(contract.PIPELINE_PARAM_TRIGGER) == contract.PIPELINE_TRIGGER_DRIFT


def _execution_arns(sagemaker: Any, pipeline: str) -> list[str]:
    listed = sagemaker.list_pipeline_executions(PipelineName=pipeline)
    return [s["PipelineExecutionArn"] for s in listed["PipelineExecutionSummaries"]]


def _log_place(build: Mapping[str, Any]) -> str:
    logs = build.get("logs") or {}
    return f"CloudWatch Logs {logs.get('groupName')} / {logs.get('streamName')}"
