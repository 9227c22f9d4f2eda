"""Tuning, Model, Transform and Lambda steps: their shapes and the properties they expose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagestack_pipelines.validation.validator import validate_definition

MONITOR_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
FIXTURE = Path(__file__).parent / "fixtures" / "definitions" / "tune_transform_notify.json"


@pytest.fixture
def definition() -> dict:
    """tune -> model of the best job -> batch transform -> lambda -> condition (Or/Not/In)."""
    return json.loads(FIXTURE.read_text())


def _step(definition: dict, name: str) -> dict:
    return next(step for step in definition["Steps"] if step["Name"] == name)


def _record_count_condition(definition: dict) -> dict:
    return _step(definition, "EnoughRecords")["Arguments"]["Conditions"][0]["Conditions"][0]


def test_tuning_model_transform_lambda_definition_has_no_problems(definition):
    assert validate_definition(definition) == []


def test_tuning_properties_come_from_both_of_its_response_shapes(definition):
    values = _step(definition, "BestModel")["Arguments"]["PrimaryContainer"]["ModelDataUrl"]
    values["Std:Join"]["Values"][1] = {"Get": "Steps.Tune.TrainingJobSummaries[0].JobName"}

    assert validate_definition(definition) == [
        'step "BestModel" Arguments.PrimaryContainer.ModelDataUrl.Std:Join.Values[1]: '
        '{"Get": "Steps.Tune.TrainingJobSummaries[0].JobName"}: '
        'property "TrainingJobSummaries[0].JobName": '
        "HyperParameterTrainingJobSummary has no .JobName"
    ]


def test_create_model_step_may_leave_out_the_model_name(definition):
    assert "ModelName" not in _step(definition, "BestModel")["Arguments"]
    assert validate_definition(definition) == []


def test_transform_step_missing_its_resources_is_rejected(definition):
    del _step(definition, "Score")["Arguments"]["TransformResources"]

    assert validate_definition(definition) == [
        'step "Score" Arguments.TransformResources: '
        "required member of CreateTransformJobRequest is missing"
    ]


def test_lambda_output_that_is_not_declared_is_rejected(definition):
    _record_count_condition(definition)["LeftValue"] = {
        "Get": "Steps.Notify.OutputParameters['rows']"
    }

    assert validate_definition(definition) == [
        'step "EnoughRecords" Arguments.Conditions[0].Conditions[0].LeftValue: '
        '{"Get": "Steps.Notify.OutputParameters[\'rows\']"}: Lambda step "Notify" has no '
        "OutputParameters['rows'] (outputs: recordCount)"
    ]


def test_lambda_output_type_is_used_for_condition_operands(definition):
    _step(definition, "Notify")["OutputParameters"][0]["OutputType"] = "String"

    assert validate_definition(definition) == [
        'step "EnoughRecords" Arguments.Conditions[0].Conditions[0].LeftValue: '
        '{"Get": "Steps.Notify.OutputParameters[\'recordCount\']"} is a String, '
        "expected a number to compare"
    ]


def test_unknown_step_level_key_is_rejected(definition):
    _step(definition, "Notify")["FunctionName"] = "sagestack-churn-notify"

    (problem,) = validate_definition(definition)

    assert problem.startswith(
        'step "Notify" FunctionName: unknown key for a Lambda step, expected: Arguments, '
    )


def test_condition_nested_in_not_is_checked(definition):
    nested = _step(definition, "EnoughRecords")["Arguments"]["Conditions"][0]["Conditions"][1]
    nested["Condition"]["Values"] = "Completed"

    assert validate_definition(definition) == [
        'step "EnoughRecords" Arguments.Conditions[0].Conditions[1].Condition.Values: '
        '"Completed" is not a list'
    ]


def test_integer_parameter_fills_an_integer_member(definition):
    limits = _step(definition, "Tune")["Arguments"]["HyperParameterTuningJobConfig"]
    limits["ResourceLimits"]["MaxParallelTrainingJobs"] = {"Get": "Parameters.BatchInput"}

    assert validate_definition(definition) == [
        'step "Tune" Arguments.HyperParameterTuningJobConfig.ResourceLimits.'
        'MaxParallelTrainingJobs: {"Get": "Parameters.BatchInput"} is a String, '
        "expected an integer (MaxParallelTrainingJobs)"
    ]


def _data_quality_step(definition: dict) -> dict:
    """A QualityCheck step: a processing request plus the check's settings."""
    tune = _step(definition, "Tune")["Arguments"]["TrainingJobDefinition"]
    return {
        "Name": "DataQuality",
        "Type": "QualityCheck",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {"ImageUri": MONITOR_IMAGE},
            "RoleArn": tune["RoleArn"],
        },
        "CheckType": "DATA_QUALITY",
        "ModelPackageGroupName": "sagestack-churn",
        "SkipCheck": False,
        "FailOnViolation": True,
        "RegisterNewBaseline": False,
        "SuppliedBaselineStatistics": None,
        "SuppliedBaselineConstraints": None,
    }


def test_quality_check_arguments_follow_the_processing_request(definition):
    check = _data_quality_step(definition)
    check["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = 0
    definition["Steps"].append(check)

    assert validate_definition(definition) == [
        'step "DataQuality" Arguments.ProcessingResources.ClusterConfig.InstanceCount: '
        "0 is below ProcessingInstanceCount minimum 1"
    ]


def test_quality_check_exposes_only_its_baseline_properties(definition):
    definition["Steps"].append(_data_quality_step(definition))
    arguments = _step(definition, "Notify")["Arguments"]
    arguments["constraints"] = {"Get": "Steps.DataQuality.CalculatedBaselineConstraints"}
    arguments["report"] = {"Get": "Steps.DataQuality.ViolationReport"}

    assert validate_definition(definition) == [
        'step "Notify" Arguments.report: {"Get": "Steps.DataQuality.ViolationReport"}: '
        'QualityCheck step "DataQuality" has no property ViolationReport (it has: '
        "BaselineUsedForDriftCheckConstraints, BaselineUsedForDriftCheckStatistics, "
        "CalculatedBaselineConstraints, CalculatedBaselineStatistics)"
    ]


def test_condition_step_exposes_only_its_outcome(definition):
    arguments = _step(definition, "Notify")["Arguments"]
    arguments["outcome"] = {"Get": "Steps.EnoughRecords.Outcome"}
    arguments["result"] = {"Get": "Steps.EnoughRecords.Result"}

    assert validate_definition(definition) == [
        'step "Notify" Arguments.result: {"Get": "Steps.EnoughRecords.Result"}: '
        'Condition step "EnoughRecords" has no property Result (it has: Outcome)',
        # EnoughRecords reads Notify's output, so Notify cannot also wait for its outcome
        'steps form a cycle, which SageMaker cannot run: "Notify" -> "EnoughRecords" -> "Notify"',
    ]
