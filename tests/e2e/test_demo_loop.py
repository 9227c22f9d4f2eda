"""The loop ``sagestack demo`` runs after its deploy, on the deployed dev stack: every step
reached its far end, and what it said names the package, the build, the page and the run."""

from __future__ import annotations

import io

import pytest
from e2e_stacks import PROJECT, REPOSITORY, STACK
from rich.console import Console

from sagestack import contract
from sagestack.deploy import stack_config
from sagestack.scenarios.loop import loop_project, show_loop

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]


def test_demo_loop_goes_from_approval_to_page_to_retraining(churn):
    console = Console(file=io.StringIO(), width=400)

    report = show_loop(churn.cloud.endpoint, STACK, stack_config(STACK, REPOSITORY), console)

    assert len(report.deploy_builds) == 1
    assert report.drift.violating == [report.shifted]
    assert report.page.state == "ALARM" and f"feature {report.shifted}" in report.page.description
    [execution] = report.executions
    assert execution.parameters[contract.PIPELINE_PARAM_TRIGGER] == contract.PIPELINE_TRIGGER_DRIFT
    text = console.file.getvalue()
    assert f"the loop, project {PROJECT}" in text
    for shown in (report.package_arn, report.deploy_builds[0], report.page.subject, execution.arn):
        assert shown in text
    # the page points at the folder of reports, and the window's report is there
    reports = report.drift.report_uri.rsplit("/", 2)[0]
    assert f"Report: {reports}/<window end" in report.page.description
    bucket, key = report.drift.report_uri.removeprefix("s3://").split("/", 1)
    churn.client("s3").head_object(Bucket=bucket, Key=key)
    assert report.drift.report_uri in text


def test_demo_loop_runs_for_the_first_project_the_sagestack_monitor_watches():
    watched_by_model_monitor = {"name": "fraud", "drift": {"monitor": "model-monitor"}}
    default_monitor = {"name": "churn", "drift": {"features": ["tenure"]}}

    assert loop_project({"projects": [watched_by_model_monitor, default_monitor]}) == "churn"
    assert loop_project({"projects": [watched_by_model_monitor]}) is None
    assert loop_project({}) is None


def test_demo_without_a_monitored_project_says_there_is_no_loop_to_show():
    console = Console(file=io.StringIO())

    assert show_loop("http://127.0.0.1:9", "bare", {"projects": []}, console) is None
    assert "no loop to show" in console.file.getvalue()
