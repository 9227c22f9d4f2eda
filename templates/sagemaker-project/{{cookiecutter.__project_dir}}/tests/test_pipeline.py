"""The pipeline definition, built offline against the local AWS, and what it promises."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.__package }} import run, settings
from {{ cookiecutter.__package }}.pipeline import metric_json_path, normalised

COMMIT = "0123456789abcdef0123456789abcdef01234567"
BUILD_ENV = {"CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT}


@pytest.fixture(scope="module")
def definition_text(config):
    return run.build(config, BUILD_ENV).definition()


@pytest.fixture(scope="module")
def definition(definition_text):
    return json.loads(definition_text)


@pytest.fixture(scope="module")
def steps(definition):
    top = {step["Name"]: step for step in definition["Steps"]}
    check = top["CheckMetric"]["Arguments"]
    branches = check["IfSteps"] + check["ElseSteps"]
    return {**top, **{step["Name"]: step for step in branches}}


def parameter(definition, name):
    return next(p for p in definition["Parameters"] if p["Name"] == name)


def test_steps_preprocess_train_evaluate_then_check_the_metric(definition):
    names_and_types = [(step["Name"], step["Type"]) for step in definition["Steps"]]
    assert names_and_types == [("Preprocess", "Processing"), ("Train", "Training"),
                               ("Evaluate", "Processing"), ("CheckMetric", "Condition")]


def test_the_metric_is_read_from_the_evaluation_report_and_compared_with_the_threshold(
    steps, definition, config
):
    (condition,) = steps["CheckMetric"]["Arguments"]["Conditions"]
    expected = ("LessThanOrEqualTo" if settings.METRIC in settings.LOWER_IS_BETTER
                else "GreaterThanOrEqualTo")
    assert condition["Type"] == expected
    json_get = condition["LeftValue"]["Std:JsonGet"]
    assert json_get["Path"] == metric_json_path(config.settings.metric)
    assert json_get["PropertyFile"] == {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}
    assert condition["RightValue"] == {"Get": "Parameters.MetricThreshold"}
    assert parameter(definition, "MetricThreshold")["DefaultValue"] == config.settings.threshold
    assert steps["Evaluate"]["PropertyFiles"][0]["FilePath"] == "evaluation.json"


def test_registration_waits_for_approval_with_metrics_and_lineage(steps, definition, config):
    register = steps["RegisterModel"]
    assert register["Type"] == "RegisterModel"
    arguments = register["Arguments"]
    assert arguments["ModelPackageGroupName"] == config.model_package_group
    assert arguments["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    assert parameter(definition, "ModelApprovalStatus")["DefaultValue"] == "PendingManualApproval"
    statistics = arguments["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert statistics["ContentType"] == "application/json"
    metadata = arguments["CustomerMetadataProperties"]
    assert metadata["git_commit"] == {"Get": "Parameters.GitCommit"}
    assert parameter(definition, "GitCommit")["DefaultValue"] == COMMIT
    assert metadata["pipeline_execution"] == {"Get": "Execution.PipelineExecutionArn"}
    assert metadata["data_location"] == {"Get": "Parameters.InputDataUri"}
    assert arguments["MetadataProperties"]["CommitId"] == {"Get": "Parameters.GitCommit"}


def test_below_the_threshold_the_run_ends_in_a_fail_step_and_registers_nothing(steps):
    check = steps["CheckMetric"]["Arguments"]
    assert [step["Type"] for step in check["ElseSteps"]] == ["Fail"]
    assert [step["Type"] for step in check["IfSteps"]] == ["RegisterModel"]


def test_jobs_run_as_the_project_role_and_encrypt_with_the_platform_key(steps, config):
    for name in ("Preprocess", "Train", "Evaluate"):
        assert steps[name]["Arguments"]["RoleArn"] == config.execution_role_arn
    training = steps["Train"]["Arguments"]
    assert training["OutputDataConfig"]["KmsKeyId"] == config.kms_key_arn
    assert training["ResourceConfig"]["VolumeKmsKeyId"] == config.kms_key_arn
    for name in ("Preprocess", "Evaluate"):
        arguments = steps[name]["Arguments"]
        assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == config.kms_key_arn
        volume = arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"]
        assert volume == config.kms_key_arn


def test_steps_write_and_upload_only_under_the_projects_artifact_prefix(definition, config):
    """Code, outputs and models; the training data (a parameter) may live anywhere."""
    own_prefix = f"s3://{config.artifact_bucket}/{config.artifact_prefix}/"
    uris = [uri for uri in _strings(definition["Steps"]) if uri.startswith("s3://")]
    assert uris and all(uri.startswith(own_prefix) for uri in uris)


def test_the_trigger_parameter_lets_the_platform_mark_drift_runs(definition):
    assert parameter(definition, "Trigger") == {"Name": "Trigger", "Type": "String",
                                                 "DefaultValue": "push"}


def test_two_builds_give_the_same_definition_once_upload_timestamps_are_masked(
    definition_text, config
):
    again = run.build(config, BUILD_ENV).definition()
    assert normalised(again) == normalised(definition_text)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
