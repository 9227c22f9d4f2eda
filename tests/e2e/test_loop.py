"""The loop on the local cloud, each link through the platform as the applier deployed it:
approval starts the deploy build, drift pages on-call and starts retraining, endpoint errors page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_stacks import PROJECT, REPOSITORY, STACK

from sagestack import contract
from sagestack.deploy import stack_config
from sagestack.scenarios import approval
from sagestack.scenarios.alarms import alarm_states, drift_alarm, endpoint_alarm
from sagestack.scenarios.clock import advance_clock
from sagestack.scenarios.drift import (
    DriftRun,
    publish_drift_from_window,
    schedule_parameters,
    write_baseline,
    write_capture,
)
from sagestack.scenarios.endpoint import ERRORS_METRIC, publish_invocation_errors
from sagestack.scenarios.executions import wait_for_execution
from sagestack.scenarios.oncall import pages, subscribe_receiver, wait_for_page
from sagestack.scenarios.project import Project
from sagestack.scenarios.retrain import training_executions, upsert_training_pipeline
from sagestack.scenarios.samples import request_window, training_sample

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

SHIFTED = "monthly_charges"
OK, ALARM = "OK", "ALARM"


def _deploy_project_name() -> str:
    prefix = stack_config(STACK, REPOSITORY)["namePrefix"]
    return contract.resource_name(prefix, PROJECT, "deploy")


def _drift_run(project: Project, now, shifted: str | None = SHIFTED) -> DriftRun:
    """Baseline from a training sample, then the monitor's run over a window (``shifted`` moved)."""
    features = project.drift_features
    write_baseline(project, training_sample(features))
    return publish_drift_from_window(project, request_window(features, shifted), now)


def _let_alarms_evaluate(project: Project) -> None:
    period = drift_alarm(project)["Period"]
    advance_clock(project.cloud.endpoint, period + 60)


# --- flow 3: approve ---------------------------------------------------------------------------


def test_approving_a_registered_package_starts_the_deploy_build_with_its_arn(churn):
    run = approval.example_run(churn)
    package = approval.register_model_package(churn, run)
    assert approval.all_builds(churn) == []  # registered, pending: nothing deploys yet

    approved = approval.approve_latest_package(churn)

    assert approved == package
    [build] = approval.all_builds(churn)
    assert build["projectName"] == _deploy_project_name()
    environment = approval.build_environment(build)
    assert environment[contract.ENV_MODEL_PACKAGE_ARN] == package
    assert environment[contract.ENV_PARAMETER_PATH] == contract.parameter_path(STACK, PROJECT)
    described = churn.client("sagemaker").describe_model_package(ModelPackageName=package)
    assert described["CustomerMetadataProperties"] == run.customer_metadata()
    assert described["MetadataProperties"]["CommitId"] == run.git_commit


def test_rejecting_a_package_starts_no_build(churn):
    approval.register_model_package(churn, approval.example_run(churn))

    rejected = approval.reject_latest_package(churn)

    # EventBridge delivers synchronously on the local cloud: a build would exist by now
    assert approval.builds_for_package(churn, rejected) == []
    assert approval.all_builds(churn) == []


# --- flow 4: drift pages -------------------------------------------------------------------------


def test_drift_in_one_feature_pages_oncall_naming_model_feature_and_runbook(
    churn, receiver, test_clock
):
    subscribe_receiver(churn, receiver)
    run = _drift_run(churn, test_clock.now())
    assert run.violating == [SHIFTED]
    feature_alarm = drift_alarm(churn, SHIFTED)["AlarmName"]
    max_alarm = drift_alarm(churn)["AlarmName"]
    calm = [drift_alarm(churn, f)["AlarmName"] for f in churn.drift_features if f != SHIFTED]

    _let_alarms_evaluate(churn)

    states = alarm_states(churn, [feature_alarm, max_alarm, *calm])
    assert states == {feature_alarm: ALARM, max_alarm: ALARM, **{name: OK for name in calm}}
    page = wait_for_page(receiver, feature_alarm)
    assert f"Model {PROJECT}" in page.description
    assert f"feature {SHIFTED}" in page.description
    assert "docs/runbooks/drift.md" in page.description
    assert page.subject.startswith(f'ALARM: "{feature_alarm}"')
    wait_for_page(receiver, max_alarm)
    assert not [p for p in pages(receiver) if p.alarm_name in calm and p.state == ALARM]


def test_requests_like_the_training_data_page_nobody_and_retrain_nothing(
    churn, receiver, test_clock
):
    subscribe_receiver(churn, receiver)
    upsert_training_pipeline(churn)
    run = _drift_run(churn, test_clock.now(), shifted=None)
    assert run.violating == []
    names = [drift_alarm(churn, f)["AlarmName"] for f in [*churn.drift_features, None]]

    _let_alarms_evaluate(churn)

    assert alarm_states(churn, names) == {name: OK for name in names}
    wait_for_page(receiver, names[-1], state=OK)  # pages flow, and none of them is an alarm
    assert [p.alarm_name for p in pages(receiver) if p.state == ALARM] == []
    assert training_executions(churn) == []


# --- flow 5: retrain -----------------------------------------------------------------------------


def test_drift_alarm_starts_the_training_pipeline_with_the_drift_trigger(churn, test_clock):
    upsert_training_pipeline(churn)
    _let_alarms_evaluate(churn)  # no data yet: the alarms settle in OK, which retrains nothing
    assert training_executions(churn) == []
    _drift_run(churn, test_clock.now())

    _let_alarms_evaluate(churn)

    [execution] = training_executions(churn)
    assert execution.arn.startswith("arn:aws:sagemaker:us-east-1:") and churn.pipeline_name in (
        execution.arn
    )
    assert execution.parameters == {
        contract.PIPELINE_PARAM_TRIGGER: contract.PIPELINE_TRIGGER_DRIFT
    }


def test_without_auto_retrain_drift_pages_but_starts_no_training(
    churn_without_retraining, receiver, test_clock
):
    project = churn_without_retraining
    subscribe_receiver(project, receiver)
    upsert_training_pipeline(project)
    _drift_run(project, test_clock.now())

    _let_alarms_evaluate(project)

    max_alarm = drift_alarm(project)["AlarmName"]
    assert alarm_states(project, [max_alarm]) == {max_alarm: ALARM}
    wait_for_page(receiver, max_alarm)
    assert training_executions(project) == []


# --- endpoint alarms ---------------------------------------------------------------------------


def test_endpoint_5xx_errors_page_oncall_with_the_endpoint_runbook(churn, receiver, test_clock):
    subscribe_receiver(churn, receiver)
    alarm = endpoint_alarm(churn, ERRORS_METRIC)
    too_many = int(alarm["Threshold"]) + 5
    publish_invocation_errors(
        churn, [too_many] * alarm["EvaluationPeriods"], test_clock.now(), alarm["Period"]
    )

    advance_clock(churn.cloud.endpoint, alarm["Period"] + 60)

    page = wait_for_page(receiver, alarm["AlarmName"])
    assert f"Model {PROJECT}" in page.description and churn.endpoint_name in page.description
    assert "docs/runbooks/endpoint.md#errors" in page.description
    latency = endpoint_alarm(churn, "ModelLatency")["AlarmName"]
    assert alarm_states(churn, [latency]) != {latency: ALARM}


# --- the drift monitor's schedule --------------------------------------------------------------


def test_the_hourly_schedule_starts_the_drift_monitor_on_the_endpoints_capture_and_baseline(
    churn, test_clock
):
    prefix = stack_config(STACK, REPOSITORY)["namePrefix"]
    monitor = contract.drift_monitor_pipeline_name(prefix)
    sagemaker = churn.client("sagemaker")

    # the dev stack says rate(1 hour): exactly one run falls in any hour
    advance_clock(churn.cloud.endpoint, 3600)

    [execution] = sagemaker.list_pipeline_executions(PipelineName=monitor)[
        "PipelineExecutionSummaries"
    ]
    given = sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=execution["PipelineExecutionArn"]
    )
    parameters = {p["Name"]: p["Value"] for p in given["PipelineParameters"]}
    assert parameters == schedule_parameters(churn)
    assert parameters["EndpointName"] == churn.endpoint_name
    assert parameters["BaselineS3Uri"] == churn.s3_uri(contract.drift_baseline_key(PROJECT))
    capture = churn.s3_uri(f"{contract.data_capture_prefix(PROJECT)}/{churn.endpoint_name}")
    assert parameters["CaptureS3Prefix"] == capture


def test_the_scheduled_drift_monitor_run_measures_the_hour_before_it_and_publishes_metrics(
    churn, test_clock
):
    features = churn.drift_features
    write_baseline(churn, training_sample(features))
    # the schedule's phase is the deploy's: write the window of either hour the run may read
    for hours_ago in (1, 0):
        write_capture(
            churn, request_window(features, SHIFTED), test_clock.now() - timedelta(hours=hours_ago)
        )
    prefix = stack_config(STACK, REPOSITORY)["namePrefix"]
    monitor = contract.drift_monitor_pipeline_name(prefix)
    sagemaker = churn.client("sagemaker")

    advance_clock(churn.cloud.endpoint, 3600)

    [summary] = sagemaker.list_pipeline_executions(PipelineName=monitor)[
        "PipelineExecutionSummaries"
    ]
    described = wait_for_execution(sagemaker, summary["PipelineExecutionArn"])
    assert described["PipelineExecutionStatus"] == "Succeeded", described.get("FailureReason")
    [step] = sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=summary["PipelineExecutionArn"]
    )["PipelineExecutionSteps"]
    assert step["StepName"] == "MeasureDrift" and "ProcessingJob" in step["Metadata"]
    published = churn.client("cloudwatch").list_metrics(
        Namespace=contract.DRIFT_NAMESPACE, MetricName=contract.DRIFT_MAX_METRIC
    )["Metrics"]
    endpoints = {d["Value"] for m in published for d in m["Dimensions"]}
    assert churn.endpoint_name in endpoints
