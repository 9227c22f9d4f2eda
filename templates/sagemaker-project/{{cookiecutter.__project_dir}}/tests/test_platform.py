"""Configuration comes from the platform's SSM parameters and the build environment only."""

from __future__ import annotations

import json

import boto3
import pytest

from {{ cookiecutter.__package }} import settings
from {{ cookiecutter.__package }}.platform import (
    ENV_PARAMETER_PATH,
    ENV_PROJECT,
    ENV_STACK,
    Param,
    PlatformConfigError,
    load_config,
    parse_settings,
)


def test_config_is_read_from_the_parameter_path_the_build_environment_names(platform, config):
    assert config.project == settings.PROJECT
    assert config.stack == platform[ENV_STACK]
    assert config.alarm_names == (f"sagestack-{config.stack}-{settings.PROJECT}-errors",)
    assert config.settings.metric == settings.METRIC


def test_a_missing_parameter_is_named_with_its_full_path(aws_endpoint):
    environ = {ENV_STACK: "nowhere", ENV_PROJECT: settings.PROJECT}
    with pytest.raises(PlatformConfigError, match=r"/sagestack/nowhere/.+/artifact-bucket"):
        load_config(environ)


def test_without_the_build_environment_the_error_says_which_variable_to_set():
    with pytest.raises(PlatformConfigError, match=f"environment variable {ENV_STACK} is not set"):
        load_config({}, ssm=object())


def test_platform_settings_override_the_answers_and_absent_ones_keep_them():
    overridden = parse_settings("settings", json.dumps(
        {"instances": {"training": "ml.c5.2xlarge", "endpointCount": 2}}))
    assert overridden.training_instance_type == "ml.c5.2xlarge"
    assert overridden.endpoint_instance_count == 2
    assert overridden.processing_instance_type == settings.PROCESSING_INSTANCE_TYPE
    assert overridden.threshold == settings.METRIC_THRESHOLD


def test_a_metric_of_the_wrong_problem_type_is_refused():
    wrong = "rmse" if settings.PROBLEM_TYPE == "binary_classification" else "auc"
    with pytest.raises(PlatformConfigError, match=f"registration.metric '{wrong}' is invalid"):
        parse_settings("settings", json.dumps({"registration": {"metric": wrong}}))


def test_a_malformed_list_parameter_is_reported_with_its_value(platform):
    path = platform[ENV_PARAMETER_PATH] + Param.ALARM_NAMES
    ssm = boto3.client("ssm")
    original = ssm.get_parameter(Name=path)["Parameter"]["Value"]
    ssm.put_parameter(Name=path, Value='{"not": "a list"}', Type="String", Overwrite=True)
    try:
        with pytest.raises(PlatformConfigError, match="must be a JSON list of strings"):
            load_config(platform)
    finally:
        ssm.put_parameter(Name=path, Value=original, Type="String", Overwrite=True)
