"""The applier on the real platform program: the example stacks are fully covered, the dev
stack deploys and re-deploys with no calls, a removed project's slice is deleted."""

from __future__ import annotations

import copy
from collections import Counter

import boto3
import pytest
from test_deploy import READ_ONLY_CALLS, CallCounter

from sagestack import contract
from sagestack.deploy import deploy, stack_config
from sagestack.deploy.errors import UnsupportedServingError
from sagestack.deploy.handlers import HANDLERS, needs_no_aws_call
from sagestack.deploy.plan import check_deployable, make_plan
from sagestack.deploy.progress import Progress
from sagestack_infra.program_runner import run_program

pytestmark = pytest.mark.slow


def _aws_resources(run_or_plan) -> list:
    return [r for r in run_or_plan.resources if r.custom and not needs_no_aws_call(r.type)]


@pytest.mark.parametrize("stack", ["dev", "local"])
def test_every_type_an_example_stack_registers_has_a_handler(stack):
    run = run_program(stack, stack_config(stack))

    check_deployable(run)  # raises naming any type without a handler
    assert {r.type for r in _aws_resources(run)} <= set(HANDLERS)


def test_kubernetes_serving_is_refused_naming_the_project_before_anything_is_created():
    config = copy.deepcopy(stack_config("dev"))
    config["kubernetes"] = {
        "kubeconfig": "apiVersion: v1\nkind: Config\n",
        "modelServerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/server:1",
    }
    config["projects"][0]["serving"] = {"target": "kubernetes"}

    with pytest.raises(UnsupportedServingError, match="project\\(s\\) churn ask for"):
        make_plan("dev", config, secret_keys=("kubernetes",))


def test_dev_stack_deploys_every_resource_then_redeploys_without_a_call(
    fresh_local_cloud, tmp_path
):
    config = stack_config("dev")
    expected = len(_aws_resources(make_plan("dev", config)))

    first = deploy("dev", config, endpoint=fresh_local_cloud.url, state_dir=tmp_path)

    assert first.progress.counts == Counter(created=expected)
    assert len(first.resources) == expected
    path = contract.parameter_path("dev", "churn")
    assert sorted(k.removeprefix(path) for k in _parameter_names(path)) == sorted(
        contract.Param.ALL
    )
    [group] = boto3.client("logs").describe_log_groups(
        logGroupNamePrefix="/aws/codebuild/sagestack-dev-churn-build"
    )["logGroups"]
    key = boto3.client("ssm").get_parameter(Name=path + contract.Param.KMS_KEY_ARN)
    assert (group["retentionInDays"], group["kmsKeyId"]) == (90, key["Parameter"]["Value"])

    counter = CallCounter()
    again = deploy(
        "dev", config, endpoint=fresh_local_cloud.url, state_dir=tmp_path, session=counter.session
    )

    assert again.progress.counts == Counter(unchanged=expected)
    assert set(counter.calls) <= READ_ONLY_CALLS


def _parameter_names(path: str) -> list[str]:
    pages = boto3.client("ssm").get_paginator("get_parameters_by_path").paginate(Path=path)
    return [p["Name"] for page in pages for p in page["Parameters"]]


def _with_second_project(config: dict, name: str) -> dict:
    wider = copy.deepcopy(config)
    second = copy.deepcopy(wider["projects"][0])
    second["name"] = name
    second["repository"]["url"] = f"https://github.com/acme/{name}"
    wider["projects"].append(second)
    return wider


def test_a_project_removed_from_the_config_has_its_slice_deleted(fresh_local_cloud, tmp_path):
    config = stack_config("dev")
    both = _with_second_project(config, "fraud")
    deploy("dev", both, endpoint=fresh_local_cloud.url, state_dir=tmp_path, progress=Progress())
    kept = {r.urn for r in _aws_resources(make_plan("dev", config))}
    removed = {r.urn for r in _aws_resources(make_plan("dev", both))} - kept

    result = deploy("dev", config, endpoint=fresh_local_cloud.url, state_dir=tmp_path)

    assert result.progress.counts == Counter(deleted=len(removed), unchanged=len(kept))
    assert {r.urn for r in result.resources} == kept
    assert _parameter_names(contract.parameter_path("dev", "fraud")) == []
    assert len(_parameter_names(contract.parameter_path("dev", "churn"))) == len(contract.Param.ALL)
    roles = {r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]}
    assert not {role for role in roles if "-fraud-" in role}
    assert "sagestack-dev-churn-exec" in roles
    projects = boto3.client("codebuild").list_projects()["projects"]
    assert sorted(projects) == ["sagestack-dev-churn-build", "sagestack-dev-churn-deploy"]
    groups = boto3.client("sagemaker").list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert [g["ModelPackageGroupName"] for g in groups] == ["sagestack-dev-churn"]
    rules = [r["Name"] for r in boto3.client("events").list_rules()["Rules"]]
    assert rules and not [rule for rule in rules if "-fraud-" in rule]
    groups = boto3.client("logs").describe_log_groups()["logGroups"]
    assert not [g["logGroupName"] for g in groups if "-fraud" in g["logGroupName"]]
