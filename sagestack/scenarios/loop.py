"""The whole loop after a deploy, step by step, as ``sagestack demo`` shows it: an approved
package starts the deploy build, a drifted window pages on-call and starts retraining."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from sagestack import contract
from sagestack.clients import AwsClients
from sagestack.localcloud import SnsReceiver, frozen_clock
from sagestack.scenarios import approval
from sagestack.scenarios.alarms import alarm_states, drift_alarm
from sagestack.scenarios.clock import advance_clock, cloud_time
from sagestack.scenarios.drift import DriftRun, publish_drift_from_window, write_baseline
from sagestack.scenarios.oncall import Page, subscribe_receiver, wait_for_page
from sagestack.scenarios.project import Project, find_project
from sagestack.scenarios.retrain import (
    Execution,
    training_executions,
    upsert_training_pipeline,
)
from sagestack.scenarios.samples import request_window, training_sample

Say = Callable[[str], None]
SAGESTACK_MONITOR = "sagestack"  # the config's drift.monitor default


@dataclass(frozen=True)
class LoopReport:
    package_arn: str
    deploy_builds: list[str]
    drift: DriftRun
    shifted: str
    alarm_states: dict[str, str]
    page: Page
    executions: list[Execution]


def loop_project(config: Mapping[str, Any]) -> str | None:
    """The first project of a stack config watched by the sagestack drift monitor (the loop
    runs its step; Model Monitor's jobs do not run locally); None when there is none."""
    for project in config.get("projects") or []:
        if (project.get("drift") or {}).get("monitor", SAGESTACK_MONITOR) == SAGESTACK_MONITOR:
            return project["name"]
    return None


def run_loop(endpoint: str, stack: str, project_name: str, say: Say, region: str) -> LoopReport:
    """Run the loop for ``project_name`` of the deployed ``stack`` at ``endpoint``."""
    project = find_project(AwsClients(endpoint, region=region), stack, project_name)
    with SnsReceiver() as receiver:
        subscribe_receiver(project, receiver)
        say(f"on-call receiver subscribed to {project.topic_arn} at {receiver.url}")
        package, builds = _approve(project, say)
        upsert_training_pipeline(project)
        say(f"CI: training pipeline {project.pipeline_name} upserted")
        shifted = project.drift_features[0]
        drift = _drift(project, shifted, say)
        states, page = _page(project, receiver, shifted, say)
        executions = _retraining(project, say)
    return LoopReport(package, builds, drift, shifted, states, page, executions)


def _approve(project: Project, say: Say) -> tuple[str, list[str]]:
    run = approval.example_run(project)
    package = approval.register_model_package(project, run)
    say(f"pipeline: registered {package} (commit {run.git_commit}, PendingManualApproval)")
    approval.approve_latest_package(project)
    builds = [build["id"] for build in approval.builds_for_package(project, package)]
    say(
        f"approver: approved it -> deploy build {', '.join(builds) or 'NONE'} started with "
        f"{contract.ENV_MODEL_PACKAGE_ARN}={package}"
    )
    return package, builds


def _drift(project: Project, shifted: str, say: Say) -> DriftRun:
    features = project.drift_features
    uri = write_baseline(project, training_sample(features))
    say(f"deploy: drift baseline of {', '.join(features)} written to {uri}")
    now = cloud_time(project.cloud.endpoint)
    drift = publish_drift_from_window(project, request_window(features, shifted), now)
    scores = ", ".join(f"{name} {psi:.3f}" for name, psi in drift.psi.items())
    say(f"drift monitor: window with {shifted} shifted; PSI {scores}; metrics published")
    say(f"drift monitor: report at {drift.report_uri}")
    return drift


def _page(
    project: Project, receiver: SnsReceiver, shifted: str, say: Say
) -> tuple[dict[str, str], Page]:
    feature_alarm = drift_alarm(project, shifted)
    names = [drift_alarm(project, f)["AlarmName"] for f in [*project.drift_features, None]]
    advance_clock(project.cloud.endpoint, feature_alarm["Period"] + 60)
    states = alarm_states(project, names)
    say("CloudWatch: " + ", ".join(f"{name} {state}" for name, state in states.items()))
    page = wait_for_page(receiver, feature_alarm["AlarmName"])
    say(f"on-call page: {page.subject}\n  {page.description}\n  {page.reason}")
    return states, page


def _retraining(project: Project, say: Say) -> list[Execution]:
    executions = training_executions(project)
    for execution in executions:
        say(f"retraining: {execution.arn} started with {execution.parameters}")
    if not executions:
        say(f"retraining: none started (autoRetrain is off for {project.name})")
    return executions


def show_loop(
    endpoint: str, stack: str, config: Mapping[str, Any], console: Console
) -> LoopReport | None:
    """``sagestack demo``'s part after the deploy, for a local cloud in this process: the loop
    for :func:`loop_project`, each step printed. The clock is frozen meanwhile, so the loop moves
    the local cloud's time past the alarm period and no further."""
    project = loop_project(config)
    if project is None:
        console.print("no project is watched by the sagestack drift monitor: no loop to show")
        return None
    console.rule(f"the loop, project {project}")
    with frozen_clock():
        return run_loop(
            endpoint,
            stack,
            project,
            lambda line: console.print(line, markup=False),
            region=config.get("aws:region") or "us-east-1",
        )
