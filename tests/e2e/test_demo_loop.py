"""The loop ``sagestack demo`` runs after its deploy, on the deployed dev stack: every step
reached its far end, and what it said names the package, the build, the page and the run."""

from __future__ import annotations

import pytest
from e2e_stacks import PROJECT, STACK

from sagestack import contract
from sagestack.scenarios.loop import loop_project, run_loop

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]


def test_demo_loop_goes_from_approval_to_page_to_retraining(churn, test_clock):
    said: list[str] = []

    report = run_loop(churn.cloud.endpoint, STACK, PROJECT, said.append, region="us-east-1")

    assert len(report.deploy_builds) == 1
    assert report.drift.violating == [report.shifted]
    assert report.page.state == "ALARM" and f"feature {report.shifted}" in report.page.description
    [execution] = report.executions
    assert execution.parameters[contract.PIPELINE_PARAM_TRIGGER] == contract.PIPELINE_TRIGGER_DRIFT
    text = "\n".join(said)
    for shown in (report.package_arn, report.deploy_builds[0], report.page.subject, execution.arn):
        assert shown in text


def test_demo_loop_runs_for_the_first_project_the_sagestack_monitor_watches():
    watched_by_model_monitor = {"name": "fraud", "drift": {"monitor": "model-monitor"}}
    default_monitor = {"name": "churn", "drift": {"features": ["tenure"]}}

    assert loop_project({"projects": [watched_by_model_monitor, default_monitor]}) == "churn"
    assert loop_project({"projects": [watched_by_model_monitor]}) is None
    assert loop_project({}) is None
