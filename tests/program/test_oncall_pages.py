"""The pages on-call gets: a dead drift monitor pages through its heartbeat alarm, and every page
links a runbook that exists, by a URL that works outside the repository once
``sagestack:runbookBaseUrl`` is set, and drift pages say where the window's report is."""

from __future__ import annotations

import json
import re

import pytest
from graph_helpers import REPO, project_entry, stack_config

from sagestack import contract
from sagestack_infra import page_links
from sagestack_infra.program_runner import run_program

ACCOUNT, REGION = "123456789012", "us-east-1"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:sagestack-test-oncall"
BUCKET = f"sagestack-test-artifacts-{ACCOUNT}-{REGION}"
BASE_URL = "https://github.com/acme/sagestack/blob/main/docs/runbooks"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
MODEL_MONITOR = {"monitor": "model-monitor", "features": ["tenure"], "schedule": "rate(1 hour)"}


@pytest.fixture(scope="module")
def run():
    """churn on the sagestack monitor every 2 hours, fraud on Model Monitor; runbooks on a host."""
    return run_program(
        "dev",
        stack_config(
            project_entry("churn", drift={"features": ["tenure"], "schedule": "rate(2 hours)"}),
            project_entry("fraud", drift=MODEL_MONITOR),
            runbookBaseUrl=BASE_URL + "/",
        ),
    )


def _alarms(run) -> dict[str, dict]:
    return {r.inputs["name"]: r.inputs for r in run.of_type(ALARM)}


def test_a_sagestack_monitored_endpoint_gets_a_heartbeat_alarm_that_pages_when_runs_stop(run):
    heartbeat = _alarms(run)["sagestack-test-churn-drift-heartbeat"]

    assert (heartbeat["namespace"], heartbeat["metricName"]) == (
        contract.DRIFT_NAMESPACE,
        contract.DRIFT_HEARTBEAT_METRIC,
    )
    assert heartbeat["dimensions"] == {contract.DIM_ENDPOINT: "sagestack-test-churn"}
    assert heartbeat["statistic"] == "SampleCount"
    assert heartbeat["period"] == 7200.0  # the schedule's interval: one beat per period
    # missing beats move it to INSUFFICIENT_DATA, which pages; a new alarm starts there silently
    assert heartbeat["treatMissingData"] == "missing"
    assert heartbeat["insufficientDataActions"] == [TOPIC_ARN]
    assert heartbeat["okActions"] == heartbeat["alarmActions"] == [TOPIC_ARN]
    assert heartbeat["comparisonOperator"] == "LessThanThreshold" and heartbeat["threshold"] == 1


def test_the_heartbeat_page_says_what_stopped_where_to_look_and_the_runbook(run):
    description = _alarms(run)["sagestack-test-churn-drift-heartbeat"]["alarmDescription"]

    assert description.startswith(
        "Model churn: the drift monitor of endpoint sagestack-test-churn has completed no run"
    )
    assert "Drift is NOT being measured" in description
    assert "sagestack-test-drift-monitor" in description  # the pipeline
    assert "sagestack-test-churn-drift" in description  # the schedule rule
    assert description.endswith(f"Runbook: {BASE_URL}/drift-monitor.md")
    assert len(description) <= 1024  # CloudWatch's limit for AlarmDescription


def test_model_monitor_projects_get_no_heartbeat_alarm(run):
    assert "sagestack-test-fraud-drift-heartbeat" not in _alarms(run)


def test_an_endpoint_serving_without_capture_pages_from_ten_missing_records(run):
    gap = _alarms(run)["sagestack-test-churn-capture-gap"]

    assert (gap["namespace"], gap["metricName"]) == (
        contract.DRIFT_NAMESPACE,
        contract.DRIFT_MISSING_CAPTURE_METRIC,
    )
    assert gap["dimensions"] == {contract.DIM_ENDPOINT: "sagestack-test-churn"}
    assert (gap["statistic"], gap["period"], gap["evaluationPeriods"]) == ("Maximum", 7200.0, 1)
    assert (gap["comparisonOperator"], gap["threshold"]) == ("GreaterThanOrEqualToThreshold", 10)
    # no run, no datum: the heartbeat alarm pages for that, this one stays calm
    assert gap["treatMissingData"] == "notBreaching"
    assert gap["okActions"] == gap["alarmActions"] == [TOPIC_ARN]
    assert "insufficientDataActions" not in gap


def test_the_capture_gap_page_says_what_is_missing_and_the_runbook(run):
    description = _alarms(run)["sagestack-test-churn-capture-gap"]["alarmDescription"]

    assert description.startswith(
        "Model churn: endpoint sagestack-test-churn served requests over the last day and wrote "
        "no data capture for them"
    )
    assert "Drift is NOT being measured" in description
    assert description.endswith(f"Runbook: {BASE_URL}/capture-gap.md")
    assert len(description) <= 1024


def test_model_monitor_projects_get_no_capture_gap_alarm(run):
    """(Kubernetes-served endpoints neither: test_stack_shapes lists their alarms.)"""
    assert "sagestack-test-fraud-capture-gap" not in _alarms(run)


def test_every_page_links_its_runbook_under_the_configured_url(run):
    links = {
        name: inputs["alarmDescription"].rsplit("Runbook: ", 1)[1]
        for name, inputs in _alarms(run).items()
    }

    assert links["sagestack-test-churn-5xx"] == f"{BASE_URL}/endpoint.md#errors"
    assert links["sagestack-test-churn-latency-p99"] == f"{BASE_URL}/endpoint.md#latency"
    assert links["sagestack-test-churn-drift-tenure"] == f"{BASE_URL}/drift.md"
    assert links["sagestack-test-fraud-drift-max"] == f"{BASE_URL}/drift.md"
    assert all(link.startswith(BASE_URL + "/") for link in links.values())


def test_failure_pages_link_their_runbook_under_the_configured_url(run):
    targets = {
        r.name.rsplit("-pages-", 1)[1]: json.loads(r.inputs["inputTransformer"]["inputTemplate"])
        for r in run.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if r.name.startswith("churn-pages-")
    }

    assert targets["train-failed-target"]["runbook"] == f"{BASE_URL}/pipeline-failure.md"
    assert targets["build-failed-target"]["runbook"] == f"{BASE_URL}/build-failure.md"
    assert targets["serve-failed-target"]["runbook"] == (
        f"{BASE_URL}/endpoint.md#failed-or-rolled-back"
    )


def test_a_drift_page_says_where_the_windows_report_is(run):
    description = _alarms(run)["sagestack-test-churn-drift-tenure"]["alarmDescription"]

    prefix = f"s3://{BUCKET}/projects/churn/drift/reports/"
    assert f"Report: {prefix}<window end, UTC, e.g. 20261126T2200Z>/drift_report.html" in (
        description
    )
    console = re.search(r"\((https://s3\.console\.aws\.amazon\.com/\S+)\)", description)
    assert console and console.group(1) == (
        f"https://s3.console.aws.amazon.com/s3/buckets/{BUCKET}?region={REGION}"
        "&prefix=projects/churn/drift/reports/"
    )


def test_without_a_base_url_pages_name_the_runbook_by_its_repository_path():
    config = stack_config(project_entry("churn", drift={"features": ["tenure"]}))
    alarms = {r.inputs["name"]: r.inputs for r in run_program("dev", config).of_type(ALARM)}

    heartbeat = alarms["sagestack-test-churn-drift-heartbeat"]["alarmDescription"]
    assert heartbeat.endswith("Runbook: docs/runbooks/drift-monitor.md")


@pytest.mark.parametrize("page", page_links.PAGES)
def test_every_runbook_page_and_section_a_page_links_exists(page):
    path, _, section = page.partition("#")
    text = (REPO / page_links.REPOSITORY_FOLDER / path).read_text(encoding="utf-8")
    # GitHub's anchors: a heading lower-cased, spaces to hyphens, punctuation dropped
    anchors = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }
    assert not section or section in anchors, f"{path} has no section #{section}"
