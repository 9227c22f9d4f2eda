"""The pipeline-definition validator on a realistic definition and on each kind of breakage."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sagestack_pipelines.validation.validator import (
    DefinitionError,
    assert_valid_definition,
    main,
    validate_definition,
)

FIXTURES = Path(__file__).parent / "fixtures" / "definitions"
VALID = FIXTURES / "train_evaluate_register.json"


@pytest.fixture
def definition() -> dict:
    """preprocess -> train -> evaluate (property file) -> condition -> register / fail."""
    return json.loads(VALID.read_text())


def _step(definition: dict, name: str) -> dict:
    """A step by name, also inside the Condition's branches (where the SDK nests them)."""
    steps = list(definition["Steps"])
    while steps:
        step = steps.pop()
        if step["Name"] == name:
            return step
        if step["Type"] == "Condition":
            steps += step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"]
    raise KeyError(name)


def test_realistic_definition_has_no_problems(definition):
    assert validate_definition(definition) == []


def test_definition_is_accepted_as_json_text(definition):
    assert validate_definition(json.dumps(definition)) == []


def test_unknown_key_in_arguments_is_named_with_the_shape_members(definition):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCnt"] = 1

    (problem,) = validate_definition(definition)

    assert problem.startswith(
        'step "Train" Arguments.ResourceConfig.InstanceCnt: unknown key "InstanceCnt", '
        "ResourceConfig has: InstanceCount, InstanceGroups,"
    )


def test_training_step_without_an_algorithm_is_rejected_though_botocore_allows_it(definition):
    del _step(definition, "Train")["Arguments"]["AlgorithmSpecification"]

    assert validate_definition(definition) == [
        'step "Train" Arguments.AlgorithmSpecification: is missing: SageMaker refuses a training '
        "job without one (only a serverless job, with ServerlessJobConfig, may leave it out)"
    ]


def test_training_step_on_zero_instances_is_rejected_though_botocore_allows_it(definition):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"] = 0

    assert validate_definition(definition) == [
        'step "Train" Arguments.ResourceConfig.InstanceCount: 0 is below 1: SageMaker runs a '
        "training job on at least one instance (botocore's shape allows 0)"
    ]


def test_training_step_with_both_an_image_and_an_algorithm_name_is_rejected(definition):
    _step(definition, "Train")["Arguments"]["AlgorithmSpecification"]["AlgorithmName"] = "algo"

    assert validate_definition(definition) == [
        'step "Train" Arguments.AlgorithmSpecification: must name exactly one of TrainingImage '
        "and AlgorithmName"
    ]


def test_heterogeneous_training_cluster_needs_instances_in_each_group(definition):
    resources = _step(definition, "Train")["Arguments"]["ResourceConfig"]
    del resources["InstanceType"], resources["InstanceCount"]
    resources["InstanceGroups"] = [
        {"InstanceGroupName": "a", "InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        {"InstanceGroupName": "b", "InstanceType": "ml.m5.xlarge", "InstanceCount": 0},
    ]

    assert validate_definition(definition) == [
        'step "Train" Arguments.ResourceConfig.InstanceGroups[1].InstanceCount: 0 is below 1: '
        "SageMaker runs a training job on at least one instance (botocore's shape allows 0)"
    ]


def test_instance_count_from_a_parameter_is_left_to_run_time(definition):
    count = _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"]
    assert count == {"Get": "Parameters.TrainingInstanceCount"}

    assert validate_definition(definition) == []


def test_wrong_type_names_the_value_and_the_expected_type(definition):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"] = "two"

    assert validate_definition(definition) == [
        'step "Train" Arguments.ResourceConfig.InstanceCount: "two" is not an integer'
    ]


def test_dangling_step_reference_is_reported_where_it_is_read(definition):
    source = _step(definition, "Train")["Arguments"]["InputDataConfig"][0]["DataSource"]
    source["S3DataSource"]["S3Uri"] = {"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs"}

    assert validate_definition(definition) == [
        'step "Train" Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri: '
        '{"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs"}: step "Prepare" does not exist'
    ]


def test_dangling_parameter_lists_the_defined_ones(definition):
    _step(definition, "Train")["Arguments"]["RoleArn"] = {"Get": "Parameters.Role"}

    assert validate_definition(definition) == [
        'step "Train" Arguments.RoleArn: {"Get": "Parameters.Role"}: parameter "Role" is not '
        "defined (defined: AucThreshold, InputData, ModelApprovalStatus, "
        "ProcessingInstanceType, TrainingInstanceCount)"
    ]


def test_missing_required_member_is_named(definition):
    del _step(definition, "Evaluate")["Arguments"]["AppSpecification"]

    assert validate_definition(definition) == [
        'step "Evaluate" Arguments.AppSpecification: '
        "required member of CreateProcessingJobRequest is missing"
    ]


def test_job_names_filled_in_by_pipelines_are_not_required(definition):
    arguments = _step(definition, "Preprocess")["Arguments"]

    assert "ProcessingJobName" not in arguments
    assert validate_definition(definition) == []


def test_job_name_written_anyway_is_checked_against_its_pattern(definition):
    _step(definition, "Train")["Arguments"]["TrainingJobName"] = "train_churn"

    assert validate_definition(definition) == [
        'step "Train" Arguments.TrainingJobName: "train_churn" does not match '
        "TrainingJobName pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
    ]


def test_enum_value_outside_the_botocore_enum_is_rejected(definition):
    _step(definition, "Register")["Arguments"]["ModelApprovalStatus"] = "Pending"

    assert validate_definition(definition) == [
        'step "Register" Arguments.ModelApprovalStatus: "Pending" is not one of '
        "ModelApprovalStatus: Approved, PendingManualApproval, Rejected"
    ]


def test_number_below_the_botocore_minimum_is_rejected(definition):
    _step(definition, "Preprocess")["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 0

    assert validate_definition(definition) == [
        'step "Preprocess" Arguments.StoppingCondition.MaxRuntimeInSeconds: '
        "0 is below ProcessingMaxRuntimeInSeconds minimum 1"
    ]


def test_list_shorter_than_the_botocore_minimum_is_rejected(definition):
    _step(definition, "Preprocess")["Arguments"]["AppSpecification"]["ContainerEntrypoint"] = []

    assert validate_definition(definition) == [
        'step "Preprocess" Arguments.AppSpecification.ContainerEntrypoint: '
        "[] has 0 items, ContainerEntrypoint needs at least 1"
    ]


def test_unicode_property_pattern_of_botocore_is_checked(definition):
    metadata = _step(definition, "Register")["Arguments"]["CustomerMetadataProperties"]
    metadata["git-commit"] = "0a1b2c3d\n"

    (problem,) = validate_definition(definition)

    assert problem.startswith(
        'step "Register" Arguments.CustomerMetadataProperties["git-commit"]: '
        '"0a1b2c3d\\n" does not match CustomerMetadataValue pattern'
    )


def test_parameter_of_the_wrong_type_for_the_member_is_rejected(definition):
    arguments = _step(definition, "Train")["Arguments"]
    arguments["ResourceConfig"]["InstanceCount"] = {"Get": "Parameters.InputData"}

    assert validate_definition(definition) == [
        'step "Train" Arguments.ResourceConfig.InstanceCount: {"Get": "Parameters.InputData"} '
        "is a String, expected an integer (TrainingInstanceCount)"
    ]


def test_join_stands_for_a_string_and_its_values_are_resolved(definition):
    outputs = _step(definition, "Preprocess")["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    outputs[0]["S3Output"]["S3Uri"]["Std:Join"]["Values"].append({"Get": "Execution.Nope"})

    (problem,) = validate_definition(definition)

    assert problem.startswith(
        'step "Preprocess" Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri.Std:Join'
        '.Values[3]: {"Get": "Execution.Nope"}: execution variable "Nope" does not exist'
    )


def test_property_missing_from_the_describe_response_is_rejected(definition):
    containers = _step(definition, "Register")["Arguments"]["InferenceSpecification"]["Containers"]
    containers[0]["ModelDataUrl"] = {"Get": "Steps.Train.ModelArtifacts.S3Uri"}

    assert validate_definition(definition) == [
        'step "Register" Arguments.InferenceSpecification.Containers[0].ModelDataUrl: '
        '{"Get": "Steps.Train.ModelArtifacts.S3Uri"}: '
        'property "ModelArtifacts.S3Uri": ModelArtifacts has no .S3Uri'
    ]


def test_step_reading_its_own_properties_is_rejected(definition):
    arguments = _step(definition, "Train")["Arguments"]
    arguments["OutputDataConfig"]["S3OutputPath"] = {"Get": "Steps.Train.OutputDataConfig"}

    assert validate_definition(definition) == [
        'step "Train" Arguments.OutputDataConfig.S3OutputPath: '
        '{"Get": "Steps.Train.OutputDataConfig"}: step "Train" cannot read its own properties'
    ]


def test_fail_step_has_no_properties_to_read(definition):
    arguments = _step(definition, "Train")["Arguments"]
    arguments["OutputDataConfig"]["S3OutputPath"] = {"Get": "Steps.AucTooLow.ErrorMessage"}

    assert validate_definition(definition) == [
        'step "Train" Arguments.OutputDataConfig.S3OutputPath: '
        '{"Get": "Steps.AucTooLow.ErrorMessage"}: Fail step "AucTooLow" has no properties',
        # and Train would wait for a step that itself waits for Train
        "steps form a cycle, which SageMaker cannot run: "
        '"Train" -> "Evaluate" -> "CheckAuc" -> "AucTooLow" -> "Train"',
    ]


def test_json_get_of_an_undeclared_property_file_is_rejected(definition):
    condition = _step(definition, "CheckAuc")["Arguments"]["Conditions"][0]
    condition["LeftValue"]["Std:JsonGet"]["PropertyFile"] = {
        "Get": "Steps.Evaluate.PropertyFiles.Metrics"
    }

    assert validate_definition(definition) == [
        'step "CheckAuc" Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile.Get: '
        'step "Evaluate" has no property file "Metrics" (it has: EvaluationReport)'
    ]


def test_property_file_must_name_an_output_of_its_step(definition):
    _step(definition, "Evaluate")["PropertyFiles"][0]["OutputName"] = "metrics"

    assert validate_definition(definition) == [
        'step "Evaluate" PropertyFiles[0].OutputName: "metrics" is not an output of this step '
        "(outputs: evaluation)"
    ]


def test_depends_on_a_missing_step_is_rejected(definition):
    _step(definition, "Evaluate")["DependsOn"] = ["Train", "Validate"]

    assert validate_definition(definition) == [
        'step "Evaluate" DependsOn[1]: step "Validate" does not exist'
    ]


def test_steps_depending_on_each_other_are_rejected_naming_the_cycle(definition):
    _step(definition, "Preprocess")["DependsOn"] = ["Evaluate"]

    assert validate_definition(definition) == [
        "steps form a cycle, which SageMaker cannot run: "
        '"Preprocess" -> "Train" -> "Evaluate" -> "Preprocess"'
    ]


def test_a_branch_step_read_by_the_condition_is_a_cycle(definition):
    _step(definition, "Preprocess")["DependsOn"] = ["Register"]

    (problem,) = validate_definition(definition)

    assert problem.startswith("steps form a cycle") and '"CheckAuc"' in problem


def test_branch_steps_reading_each_other_are_no_cycle(definition):
    _step(definition, "AucTooLow")["DependsOn"] = ["Register"]

    assert validate_definition(definition) == []


def test_condition_branch_naming_a_missing_step_is_rejected(definition):
    _step(definition, "CheckAuc")["Arguments"]["ElseSteps"].append("Notify")

    assert validate_definition(definition) == [
        'step "CheckAuc" Arguments.ElseSteps[1]: step "Notify" does not exist'
    ]


def test_ordering_condition_on_a_string_operand_is_rejected(definition):
    condition = _step(definition, "CheckAuc")["Arguments"]["Conditions"][0]
    condition["RightValue"] = {"Get": "Parameters.ModelApprovalStatus"}

    assert validate_definition(definition) == [
        'step "CheckAuc" Arguments.Conditions[0].RightValue: '
        '{"Get": "Parameters.ModelApprovalStatus"} is a String, expected a number to compare'
    ]


def test_unknown_condition_type_is_rejected(definition):
    _step(definition, "CheckAuc")["Arguments"]["Conditions"][0]["Type"] = "AtLeast"

    assert validate_definition(definition) == [
        'step "CheckAuc" Arguments.Conditions[0].Type: "AtLeast" is not one of: Equals, '
        "GreaterThan, GreaterThanOrEqualTo, In, LessThan, LessThanOrEqualTo, Not, Or"
    ]


def test_unknown_step_type_is_rejected(definition):
    _step(definition, "Evaluate")["Type"] = "Evaluation"

    (problem,) = validate_definition(definition)

    assert problem.startswith('step "Evaluate" Type: "Evaluation" is not one of: Processing,')


def test_argument_pipelines_refuses_is_rejected(definition):
    _step(definition, "Register")["Arguments"]["CertifyForMarketplace"] = False

    assert validate_definition(definition) == [
        'step "Register" Arguments.CertifyForMarketplace: '
        "SageMaker Pipelines refuses CertifyForMarketplace in RegisterModel arguments"
    ]


def test_parameter_default_of_the_wrong_type_is_rejected(definition):
    definition["Parameters"][2]["DefaultValue"] = "1"

    assert validate_definition(definition) == [
        'parameter "TrainingInstanceCount" DefaultValue: "1" is not an integer (Type Integer)'
    ]


def test_parameter_default_outside_its_enum_is_rejected(definition):
    definition["Parameters"][1]["DefaultValue"] = "ml.c5.xlarge"

    assert validate_definition(definition) == [
        'parameter "ProcessingInstanceType" DefaultValue: "ml.c5.xlarge" is not in EnumValues'
    ]


def test_wrong_schema_version_and_duplicate_step_names_are_reported(definition):
    definition["Version"] = "2020-01-01"
    definition["Steps"].append(copy.deepcopy(_step(definition, "Train")))

    assert validate_definition(definition) == [
        'definition Version: "2020-01-01" is not "2020-12-01"',
        'step "Train": another step has the same name',
    ]


def test_every_problem_is_reported_not_only_the_first(definition):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"] = "two"
    _step(definition, "Evaluate")["DependsOn"] = ["Validate"]

    assert len(validate_definition(definition)) == 2


def test_text_that_is_not_json_is_reported():
    (problem,) = validate_definition("{not json")

    assert problem.startswith("definition: not JSON (Expecting property name")


def test_assert_valid_definition_raises_with_every_problem(definition):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"] = "two"

    with pytest.raises(DefinitionError) as raised:
        assert_valid_definition(definition)

    assert raised.value.problems == [
        'step "Train" Arguments.ResourceConfig.InstanceCount: "two" is not an integer'
    ]
    assert "InstanceCount" in str(raised.value)


def test_cli_exits_zero_on_a_valid_file(capsys):
    assert main([str(VALID)]) == 0
    assert capsys.readouterr().out == f"{VALID}: valid\n"


def test_cli_prints_problems_and_exits_one(tmp_path, definition, capsys):
    _step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceCount"] = "two"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(definition))

    assert main([str(broken)]) == 1
    assert capsys.readouterr().err == (
        'step "Train" Arguments.ResourceConfig.InstanceCount: "two" is not an integer\n'
        f"{broken}: 1 problems\n"
    )


def test_cli_exits_two_on_a_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def _node_paths(value, path=()):
    yield path
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from _node_paths(child, (*path, key))


@pytest.mark.parametrize("junk", [None, 7, [], {"Get": 5}])
def test_any_node_replaced_by_junk_is_reported_without_crashing(definition, junk):
    """Malformed input of any shape, anywhere, gives messages, never an exception."""
    for path in list(_node_paths(definition))[1:]:
        broken = copy.deepcopy(definition)
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = junk

        problems = validate_definition(broken)

        assert all(isinstance(problem, str) for problem in problems), path


def test_metric_read_by_name_from_a_list_is_a_number(definition):
    conditions = _step(definition, "CheckAuc")["Arguments"]["Conditions"]
    metric = {"Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}
    conditions.append({"Type": "GreaterThan", "LeftValue": metric, "RightValue": 0.5})
    conditions.append({"Type": "Equals", "LeftValue": metric, "RightValue": "high"})

    assert validate_definition(definition) == [
        'step "CheckAuc" Arguments.Conditions[2]: Equals compares '
        '{"Get": "Steps.Train.FinalMetricDataList[\'validation:auc\'].Value"} (a Float) '
        'with "high" (a String): never true'
    ]


def test_output_read_by_a_name_the_step_does_not_declare_is_rejected(definition):
    source = _step(definition, "Train")["Arguments"]["InputDataConfig"][0]["DataSource"]
    uri = "Steps.Preprocess.ProcessingOutputConfig.Outputs['training'].S3Output.S3Uri"
    source["S3DataSource"]["S3Uri"] = {"Get": uri}

    assert validate_definition(definition) == [
        'step "Train" Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri: '
        f'{{"Get": "{uri}"}}: property "ProcessingOutputConfig.Outputs[\'training\'].S3Output.'
        'S3Uri": the step has no item named "training" (it has: test, train)'
    ]


def test_output_read_by_a_position_past_the_requested_ones_is_rejected(definition):
    uri = "Steps.Preprocess.ProcessingOutputConfig.Outputs[2].S3Output.S3Uri"
    _step(definition, "Train")["Arguments"]["OutputDataConfig"]["S3OutputPath"] = {"Get": uri}

    assert validate_definition(definition) == [
        'step "Train" Arguments.OutputDataConfig.S3OutputPath: '
        f'{{"Get": "{uri}"}}: property "ProcessingOutputConfig.Outputs[2].S3Output.S3Uri": '
        "the step requests 2 items"
    ]
