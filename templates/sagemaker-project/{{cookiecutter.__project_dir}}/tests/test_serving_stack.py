"""The serving stack under Pulumi's mocks: what it registers and how the resources are wired."""

from __future__ import annotations

import pulumi
import pytest

from {{ cookiecutter.__package }}.platform import ENDPOINT_VARIANT, Autoscaling, Rollout
from {{ cookiecutter.__package }}.serving_stack import (
    ServingArgs,
    ServingStack,
    blue_green_policy,
    versioned_name,
)

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/4"
KEY = "arn:aws:kms:us-east-1:123456789012:key/platform"


class Recording(pulumi.runtime.Mocks):
    def __init__(self):
        self.resources: dict[str, tuple[str, dict]] = {}

    def new_resource(self, args):
        outputs = {"arn": f"arn:mock:{args.name}", **args.inputs}
        self.resources[args.name] = (args.typ, dict(args.inputs))
        return f"{args.name}-id", outputs

    def call(self, args):
        return {}


def _args(**changes) -> ServingArgs:
    values = dict(
        endpoint_name="sagestack-test-churn",
        model_package_arn=PACKAGE,
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        instance_type="ml.m5.large",
        instance_count=2,
        kms_key_arn=KEY,
        capture_uri="s3://artifacts/projects/churn/data-capture",
        rollback_alarms=("sagestack-test-churn-errors", "sagestack-test-churn-latency"),
        rollout=Rollout(type="CANARY", step_percent=20, wait_seconds=300,
                        termination_wait_seconds=120),
        autoscaling=Autoscaling(min_instances=2, max_instances=6,
                                target_invocations_per_instance=200),
        tags=(("owner", "ml"),),
    )
    values.update(changes)
    return ServingArgs(**values)


def _stack(args: ServingArgs) -> dict[str, tuple[str, dict]]:
    mocks = Recording()
    pulumi.runtime.set_mocks(mocks, project="serving", stack="test", preview=False)

    @pulumi.runtime.test
    def build():
        stack = ServingStack("serving", args)
        return stack.endpoint_name.apply(lambda _: None)

    build()
    return mocks.resources


def test_the_model_comes_from_the_approved_package_network_isolated_as_the_execution_role():
    typ, model = _stack(_args())["serving-model-v4"]

    assert typ == "aws:sagemaker/model:Model"
    assert model["primaryContainer"] == {"modelPackageName": PACKAGE}
    assert model["executionRoleArn"] == "arn:aws:iam::123456789012:role/execution"
    assert model["enableNetworkIsolation"] is True
    assert model["name"] == versioned_name("sagestack-test-churn", PACKAGE)
    assert model["name"] == "sagestack-test-churn-v4"
    assert model["tags"] == {"owner": "ml"}


def test_a_model_the_config_opts_out_of_isolation_carries_the_policy_waiver():
    _, model = _stack(_args(network_isolation=False))["serving-model-v4"]

    assert model["enableNetworkIsolation"] is False
    assert model["tags"] == {
        "owner": "ml",
        "sagestack:waive:sagemaker-model-network-isolation": (
            "serving.networkIsolation is false in the config"
        ),
    }


def test_the_endpoint_config_captures_requests_to_the_platform_bucket_with_the_platform_key():
    resources = _stack(_args())
    _, config = resources["serving-endpoint-config-v4"]

    (variant,) = config["productionVariants"]
    assert variant["modelName"] == resources["serving-model-v4"][1]["name"]
    assert (variant["variantName"], variant["initialInstanceCount"]) == (ENDPOINT_VARIANT, 2)
    assert config["kmsKeyArn"] == KEY
    capture = config["dataCaptureConfig"]
    assert capture["destinationS3Uri"] == "s3://artifacts/projects/churn/data-capture"
    assert capture["kmsKeyId"] == KEY
    assert capture["initialSamplingPercentage"] == 100
    assert [o["captureMode"] for o in capture["captureOptions"]] == ["Input", "Output"]
    assert capture["captureContentTypeHeader"]["csvContentTypes"] == ["text/csv"]


def test_the_endpoint_deploys_blue_green_and_rolls_back_on_the_project_alarms():
    resources = _stack(_args())
    _, endpoint = resources["serving-endpoint"]

    assert endpoint["endpointConfigName"] == resources["serving-endpoint-config-v4"][1]["name"]
    deployment = endpoint["deploymentConfig"]
    routing = deployment["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]
    assert routing == {"type": "CANARY", "waitIntervalInSeconds": 300,
                       "canarySize": {"type": "CAPACITY_PERCENT", "value": 20}}
    assert deployment["blueGreenUpdatePolicy"]["terminationWaitInSeconds"] == 120
    assert [a["alarmName"] for a in deployment["autoRollbackConfiguration"]["alarms"]] == [
        "sagestack-test-churn-errors", "sagestack-test-churn-latency"]


def test_autoscaling_tracks_invocations_per_instance_of_the_endpoints_variant():
    resources = _stack(_args())
    _, target = resources["serving-scaling-target"]
    _, policy = resources["serving-scaling-policy"]

    assert target["resourceId"] == f"endpoint/sagestack-test-churn/variant/{ENDPOINT_VARIANT}"
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 6)
    assert policy["resourceId"] == target["resourceId"]
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    assert tracking["targetValue"] == 200
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == (
        "SageMakerVariantInvocationsPerInstance")


def test_without_autoscaling_settings_no_scaling_resources_exist():
    assert "serving-scaling-target" not in _stack(_args(autoscaling=None))


@pytest.mark.parametrize(("rollout", "routing_key"), [
    (Rollout(type="LINEAR", step_percent=25, wait_seconds=60, termination_wait_seconds=0),
     "linearStepSize"),
    (Rollout(type="ALL_AT_ONCE", wait_seconds=600, termination_wait_seconds=600), None),
])
def test_the_execution_timeout_leaves_room_for_every_bake(rollout, routing_key):
    policy = blue_green_policy(rollout)
    routing = policy["traffic_routing_configuration"]

    steps = 4 if rollout.type == "LINEAR" else 1
    assert policy["maximum_execution_timeout_in_seconds"] > (
        steps * rollout.wait_seconds + rollout.termination_wait_seconds)
    assert 600 <= policy["maximum_execution_timeout_in_seconds"] <= 14400
    assert (routing_key is None) == ("linear_step_size" not in routing)


def test_the_previous_packages_model_and_config_are_kept_and_the_endpoint_serves_the_new():
    previous = PACKAGE.replace("/churn/4", "/churn/3")
    resources = _stack(_args(previous_model_package_arn=previous))

    assert resources["serving-model-v3"][1]["primaryContainer"] == {"modelPackageName": previous}
    assert resources["serving-endpoint-config-v3"][1]["name"] == "sagestack-test-churn-v3"
    assert resources["serving-model-v4"][1]["primaryContainer"] == {"modelPackageName": PACKAGE}
    assert resources["serving-endpoint"][1]["endpointConfigName"] == "sagestack-test-churn-v4"
    versions = sorted(name for name in resources if "-model-v" in name or "-config-v" in name)
    assert versions == [
        "serving-endpoint-config-v3",
        "serving-endpoint-config-v4",
        "serving-model-v3",
        "serving-model-v4",
    ]


@pytest.mark.parametrize("previous", [None, "", PACKAGE])
def test_without_another_previous_package_only_the_served_version_exists(previous):
    resources = _stack(_args(previous_model_package_arn=previous))

    assert sorted(name for name in resources if "-v" in name) == [
        "serving-endpoint-config-v4",
        "serving-model-v4",
    ]
