"""Projects that choose SageMaker Model Monitor: a data-quality job definition and schedule on the
endpoint, the same alarms (on Model Monitor's metrics), topic and retrain rule as the sagestack
monitor, and the configs such a project must not have, refused before anything is registered."""

from __future__ import annotations

import json

import pytest
from graph_helpers import REPO, project_entry, stack_config
from test_drift_monitor import processing_job_permissions
from test_project_graph import ACCOUNT, REGION, role_permissions
from test_stack_shapes import CountingMocks

from sagestack_infra.config import ConfigError
from sagestack_infra.program_runner import run_program

BUCKET = "sagestack-test-artifacts-123456789012-us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/platform-key-key"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:sagestack-test-oncall"
ENDPOINT = "sagestack-test-churn"
SCHEDULE = "sagestack-test-churn-drift"
FEATURES = ["tenure", "monthly_charges"]
MODEL_MONITOR = {
    "monitor": "model-monitor",
    "features": FEATURES,
    "threshold": 0.3,
    "schedule": "rate(6 hours)",
}


@pytest.fixture(scope="module")
def mixed_run():
    """churn on Model Monitor, fraud on the sagestack monitor, both retraining on drift."""
    return run_program(
        "dev",
        stack_config(
            project_entry("churn", drift=MODEL_MONITOR, autoRetrain=True),
            project_entry("fraud", autoRetrain=True),
        ),
    )


def alarm(run, name: str) -> dict:
    [found] = [
        r.inputs
        for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"] == name
    ]
    return found


def test_model_monitor_project_gets_a_data_quality_job_on_its_endpoint(mixed_run):
    job = mixed_run.named("churn-model-monitor-job-definition").inputs
    assert job["name"] == SCHEDULE
    assert job["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/sagestack-test-churn-monitor"
    assert job["dataQualityAppSpecification"] == {
        "imageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
        "environment": {"publish_cloudwatch_metrics": "Enabled"},
    }
    assert job["dataQualityJobInput"]["endpointInput"]["endpointName"] == ENDPOINT
    baseline = f"s3://{BUCKET}/projects/churn/drift/model-monitor/baseline"
    assert job["dataQualityBaselineConfig"] == {
        "statisticsResource": {"s3Uri": f"{baseline}/statistics.json"},
        "constraintsResource": {"s3Uri": f"{baseline}/constraints.json"},
    }
    output = job["dataQualityJobOutputConfig"]
    assert output["kmsKeyId"] == KEY_ARN
    assert output["monitoringOutputs"]["s3Output"]["s3Uri"] == (
        f"s3://{BUCKET}/projects/churn/drift/model-monitor/reports"
    )
    assert job["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == KEY_ARN


def test_monitoring_schedule_runs_the_job_on_the_projects_schedule_in_cron_form(mixed_run):
    schedule = mixed_run.named("churn-model-monitor-schedule").inputs
    assert schedule["name"] == SCHEDULE
    assert schedule["monitoringScheduleConfig"] == {
        "monitoringJobDefinitionName": SCHEDULE,
        "monitoringType": "DataQuality",
        "scheduleConfig": {"scheduleExpression": "cron(0 0/6 ? * * *)"},
    }


def test_model_monitor_project_has_no_sagestack_schedule_and_the_other_project_keeps_its(
    mixed_run,
):
    names = {r.name for r in mixed_run.resources}
    assert "churn-drift" not in names and "fraud-drift" in names
    assert "fraud-model-monitor" not in names


def test_feature_alarms_watch_model_monitors_metric_for_the_endpoint_and_schedule(mixed_run):
    for feature in FEATURES:
        inputs = alarm(mixed_run, f"sagestack-test-churn-drift-{feature}")
        assert inputs["namespace"] == "aws/sagemaker/Endpoints/data-metrics"
        assert inputs["metricName"] == f"feature_baseline_drift_{feature}"
        assert inputs["dimensions"] == {"Endpoint": ENDPOINT, "MonitoringSchedule": SCHEDULE}
        assert inputs["threshold"] == 0.3
        assert inputs["alarmActions"] == [TOPIC_ARN]


def test_aggregate_alarm_takes_the_largest_feature_drift_by_metric_math(mixed_run):
    inputs = alarm(mixed_run, "sagestack-test-churn-drift-max")
    assert "namespace" not in inputs and "metricName" not in inputs
    *metrics, expression = inputs["metricQueries"]
    assert expression == {"id": "maxdrift", "expression": "MAX([m0,m1])", "returnData": True}
    assert [m["metric"]["metricName"] for m in metrics] == [
        "feature_baseline_drift_tenure",
        "feature_baseline_drift_monthly_charges",
    ]
    assert all(m["returnData"] is False for m in metrics)
    assert {m["metric"]["period"] for m in metrics} == {6 * 3600.0}
    assert inputs["alarmActions"] == inputs["okActions"] == [TOPIC_ARN]


def test_alarm_descriptions_name_model_feature_score_and_runbook(mixed_run):
    tenure = alarm(mixed_run, "sagestack-test-churn-drift-tenure")["alarmDescription"]
    console = f"https://s3.console.aws.amazon.com/s3/buckets/{BUCKET}?region={REGION}&prefix="
    assert tenure == (
        "Model churn: feature tenure drifted past Model Monitor's baseline drift distance 0.3 "
        f"on endpoint {ENDPOINT}. Model Monitor's reports: "
        f"s3://{BUCKET}/projects/churn/drift/model-monitor/reports/ (newest last; "
        f"{console}projects/churn/drift/model-monitor/reports/). Runbook: docs/runbooks/drift.md"
    )
    fraud = alarm(mixed_run, "sagestack-test-fraud-drift-tenure")["alarmDescription"]
    assert fraud == (
        "Model fraud: feature tenure violates its drift checks (the run's "
        "constraint_violations.json says which) on endpoint sagestack-test-fraud. "
        f"Report: s3://{BUCKET}/projects/fraud/drift/reports/<window end, UTC, e.g. "
        "20261126T2200Z>/drift_report.html, newest last "
        f"({console}projects/fraud/drift/reports/). Runbook: docs/runbooks/drift.md"
    )


def test_same_retrain_rule_either_way(mixed_run):
    for project in ("churn", "fraud"):
        rule = mixed_run.named(f"{project}-retrain-rule")
        assert json.loads(rule.inputs["eventPattern"])["detail"]["alarmName"] == [
            f"sagestack-test-{project}-drift-max"
        ]


def test_model_monitor_role_has_exactly_the_jobs_permissions(mixed_run):
    objects = f"arn:aws:s3:::{BUCKET}/projects/churn"
    read = {"s3:GetObject", "s3:GetObjectVersion"}
    write = read | {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}
    kms = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
    expected = (
        {(a, f"{objects}/data-capture/*") for a in read}
        | {(a, f"{objects}/drift/model-monitor/baseline/*") for a in read}
        | {(a, f"{objects}/drift/model-monitor/reports/*") for a in write}
        | {("s3:ListBucket", f"arn:aws:s3:::{BUCKET}")}
        | {(a, KEY_ARN) for a in kms}
        | processing_job_permissions("sagemaker-model-monitor-analyzer", KEY_ARN)
    )
    assert role_permissions(mixed_run, "sagestack-test-churn-monitor") == expected
    [metrics] = [
        s
        for grant in mixed_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if grant.inputs["role"] == "sagestack-test-churn-monitor"
        for s in json.loads(grant.inputs["policy"])["Statement"]
        if s["Action"] == ["cloudwatch:PutMetricData"]
    ]
    assert metrics["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "aws/sagemaker/Endpoints/data-metrics"}
    }


def test_daily_sagestack_schedule_reads_a_day_of_captures():
    run = run_program(
        "dev",
        stack_config(
            project_entry(
                "churn", drift={**MODEL_MONITOR, "monitor": "sagestack", "schedule": "rate(1 day)"}
            )
        ),
    )
    lists = run.named("churn-drift-target").inputs["sagemakerPipelineTarget"]
    parameters = {p["name"]: p["value"] for p in lists["pipelineParameterLists"]}
    assert parameters["WindowHours"] == "24"
    assert parameters["PsiThreshold"] == "0.3"


def test_a_projects_minimum_window_reaches_the_drift_monitor_step():
    drift = {"features": FEATURES, "minRequests": 500}
    run = run_program("dev", stack_config(project_entry("churn", drift=drift)))
    lists = run.named("churn-drift-target").inputs["sagemakerPipelineTarget"]
    parameters = {p["name"]: p["value"] for p in lists["pipelineParameterLists"]}
    assert parameters["MinRequests"] == "500"


def test_model_monitor_configs_it_cannot_run_are_refused_before_any_resource():
    mocks = CountingMocks()
    bad = project_entry(
        "churn",
        drift={**MODEL_MONITOR, "threshold": 2, "schedule": "rate(5 minutes)"},
        serving={"target": "kubernetes"},
    )
    config = stack_config(
        bad,
        kubernetes={
            "kubeconfig": "apiVersion: v1\nkind: Config\n",
            "modelServerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/server:1",
        },
    )

    with pytest.raises(ConfigError) as error:
        run_program("dev", config, mocks=mocks, secret_keys=["kubernetes"])

    assert error.value.problems == [
        'sagestack:projects[0].drift.schedule: "rate(5 minutes)" is not a schedule Model Monitor '
        "runs (expected rate(1 hour), rate(N hours) with N dividing 24, rate(1 day), or "
        "cron(0 H ? * * *), cron(0 H/N ? * * *), cron(0 * ? * * *)) for drift.monitor "
        "model-monitor",
        "sagestack:projects[0].drift.threshold: 2.0 is above 1.0, the largest baseline drift "
        "distance Model Monitor reports (drift.monitor model-monitor alarms on that distance, "
        "not on PSI)",
        'sagestack:projects[0].drift.monitor: "model-monitor" watches a SageMaker endpoint; '
        'serving.target "kubernetes" has none (use drift.monitor sagestack)',
    ]
    assert mocks.created == []


def test_every_alarm_links_a_runbook_section_that_exists(mixed_run):
    for resource in mixed_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        description = resource.inputs["alarmDescription"]
        link = description.split("Runbook: ", 1)[1]
        path, _, anchor = link.partition("#")
        text = (REPO / path).read_text(encoding="utf-8")
        headings = {
            line.lstrip("#").strip().lower() for line in text.splitlines() if line[:1] == "#"
        }
        assert path.startswith("docs/runbooks/")
        assert not anchor or anchor in headings, f"{link}: no section {anchor!r}"


def test_model_monitor_resources_pass_the_policy_pack():
    from test_policy_program import planned

    from sagestack_infra.policy.evaluate import evaluate

    config = stack_config(
        project_entry("churn", drift=MODEL_MONITOR, autoRetrain=True),
        tags={"owner": "ml-platform", "cost-center": "cc-1234"},
    )
    resources = planned(run_program("dev", config), config)

    types = {r.type for r in resources}
    assert {
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
    } <= types
    assert evaluate(resources) == []
