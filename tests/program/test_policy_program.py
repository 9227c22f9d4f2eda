"""The policy pack passes on everything the program registers for the example stacks.

The program runs under Pulumi's mocks (``sagestack_infra.program_runner``); each registered resource
reaches the pack as the engine would hand it over: inputs to the resource policies, outputs to
the stack policies, and, for ``aws:`` resources, the default aws provider built from the stack
file's ``aws:`` settings (where ``aws:defaultTags`` would live).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import PolicyProviderResource

from sagestack_infra.policy.evaluate import PlannedResource, evaluate
from sagestack_infra.program_runner import ProgramRun, read_stack_file, run_program

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_STACKS = ("dev", "local")
# One resource type per policy family, so a pass is never a pass over nothing.
GUARDED_TYPES = {
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:codebuild/project:Project",
    "aws:sns/topic:Topic",
}


def stack_config(stack: str) -> dict[str, Any]:
    return read_stack_file(REPO / f"Pulumi.{stack}.yaml")


def default_aws_provider(config: Mapping[str, Any]) -> PolicyProviderResource:
    """The provider the engine creates for resources without an explicit one: its inputs are
    the stack's ``aws:`` settings."""
    props = {
        key.removeprefix("aws:"): value for key, value in config.items() if key.startswith("aws:")
    }
    return PolicyProviderResource("pulumi:providers:aws", props, "urn:default_aws", "default")


def planned(run: ProgramRun, config: Mapping[str, Any]) -> list[PlannedResource]:
    provider = default_aws_provider(config)
    return [
        PlannedResource(
            r.type,
            r.name,
            r.urn,
            r.inputs,
            r.outputs,
            provider=provider if r.type.startswith("aws:") else None,
            parent=r.parent,
        )
        for r in run.custom_resources
    ]


@pytest.fixture(scope="module")
def example_resources() -> dict[str, list[PlannedResource]]:
    resources = {}
    for stack in EXAMPLE_STACKS:
        config = stack_config(stack)
        resources[stack] = planned(run_program(stack, config), config)
    return resources


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_the_pack_passes_on_every_resource_of_the_example_stack(example_resources, stack):
    resources = example_resources[stack]

    assert {r.type for r in resources} >= GUARDED_TYPES
    assert evaluate(resources) == []


def test_a_program_bucket_that_loses_its_public_access_block_fails_the_pack(example_resources):
    resources = [
        r
        for r in example_resources["dev"]
        if r.type != "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    ]

    violations = evaluate(resources)

    (bucket,) = [r for r in resources if r.type == "aws:s3/bucket:Bucket"]
    assert [(v.policy, v.urn) for v in violations] == [("s3-public-access-blocked", bucket.urn)]


def test_a_program_topic_without_tags_or_key_fails_the_pack(example_resources):
    resources = [
        PlannedResource(
            r.type, r.name, r.urn, {"name": r.inputs.get("name")}, r.outputs, r.provider, r.parent
        )
        if r.type == "aws:sns/topic:Topic"
        else r
        for r in example_resources["dev"]
    ]

    assert sorted(v.policy for v in evaluate(resources)) == ["required-tags", "sns-topic-encrypted"]


def test_with_kubernetes_serving_the_model_server_workload_passes_the_pack():
    config = copy.deepcopy(stack_config("dev"))
    config["kubernetes"] = {
        "kubeconfig": "apiVersion: v1\nkind: Config\nclusters: []\n",
        "modelServerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model-server:1.0",
    }
    config["projects"][0]["serving"] = {"target": "kubernetes", "replicas": 2}

    resources = planned(run_program("dev", config, secret_keys=("kubernetes",)), config)

    assert "kubernetes:apps/v1:Deployment" in {r.type for r in resources}
    assert evaluate(resources) == []
