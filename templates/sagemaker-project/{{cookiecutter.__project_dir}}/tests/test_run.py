"""The run command: pull requests run the checks only; a push upserts and starts the pipeline."""

from __future__ import annotations

import json

import boto3

from {{ cookiecutter.__package }} import run
from {{ cookiecutter.__package }}.platform import ENV_WEBHOOK_EVENT


def executions(config):
    sagemaker = boto3.client("sagemaker")
    pipelines = sagemaker.list_pipelines(PipelineNamePrefix=config.pipeline_name)
    if not pipelines["PipelineSummaries"]:
        return []
    return sagemaker.list_pipeline_executions(PipelineName=config.pipeline_name)[
        "PipelineExecutionSummaries"]


def test_a_pull_request_build_starts_no_pipeline(platform, config, capsys):
    before = len(executions(config))
    environ = {**platform, ENV_WEBHOOK_EVENT: "PULL_REQUEST_CREATED"}
    assert run.main(["--on-push"], environ) == 0
    assert "tests only" in capsys.readouterr().out
    assert len(executions(config)) == before


def test_a_push_upserts_the_pipeline_and_starts_it(platform, config):
    before = len(executions(config))
    assert run.main(["--on-push"], {**platform, ENV_WEBHOOK_EVENT: "PUSH"}) == 0
    described = boto3.client("sagemaker").describe_pipeline(PipelineName=config.pipeline_name)
    assert described["RoleArn"] == config.execution_role_arn
    assert json.loads(described["PipelineDefinition"])["Steps"][0]["Name"] == "Preprocess"
    assert len(executions(config)) == before + 1


def test_definition_only_writes_the_definition_and_upserts_nothing(platform, tmp_path):
    target = tmp_path / "pipeline.json"
    assert run.main(["--definition-only", str(target)], platform) == 0
    assert json.loads(target.read_text())["Version"] == "2020-12-01"


def test_a_missing_platform_entry_is_reported_not_raised(aws_endpoint, capsys):
    environ = {"SAGESTACK_STACK": "absent", "SAGESTACK_PROJECT": "absent"}
    assert run.main([], environ) == 2
    assert "SSM parameters /sagestack/absent/absent/" in capsys.readouterr().err
