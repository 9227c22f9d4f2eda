"""The serving stack: the endpoint an approved model package serves on, as a Pulumi component.

The deploy build runs it with ``pulumi up`` (``serving/__main__.py`` is the program): a model from
the approved package (network-isolated, acting as the project's execution role), an endpoint
config capturing requests and responses to the platform bucket (KMS), the endpoint updated
blue/green with automatic rollback on the project's alarms, and, when the platform asks for it,
target tracking on invocations per instance. Each package version gets its own model and
endpoint config, so approving a new version updates the same endpoint; the previous version's
(``previousModelPackageArn``, the package the stack served before) are kept, so approving it
again rolls back without recreating them, and older ones are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .platform import (
    ENDPOINT_VARIANT,
    ENV_MODEL_PACKAGE_ARN,
    NETWORK_ISOLATION_WAIVER_TAG,
    Autoscaling,
    PlatformConfig,
    PlatformConfigError,
    Rollout,
    data_capture_prefix,
)

CAPTURE_CSV_TYPES = ("text/csv",)
CAPTURE_JSON_TYPES = ("application/json",)
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
INVOCATIONS_PER_INSTANCE = "SageMakerVariantInvocationsPerInstance"


def version_of(model_package_arn: str) -> str:
    name, _, version = model_package_arn.rpartition("/")
    if not version.isdigit() or ":model-package/" not in name:
        raise PlatformConfigError(
            f"{ENV_MODEL_PACKAGE_ARN} '{model_package_arn}' is not a versioned model package ARN "
            "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>)"
        )
    return version


def versioned_name(endpoint_name: str, model_package_arn: str) -> str:
    """The model's and the endpoint config's name for one package version."""
    return f"{endpoint_name}-v{version_of(model_package_arn)}"


def check_approved(model_package_arn: str, sagemaker=None) -> None:
    """Only an approved package is served: the stack exists once something is approved."""
    version_of(model_package_arn)
    if sagemaker is None:
        import boto3

        sagemaker = boto3.client("sagemaker")
    package = sagemaker.describe_model_package(ModelPackageName=model_package_arn)
    if package["ModelApprovalStatus"] != "Approved":
        raise PlatformConfigError(
            f"model package {model_package_arn} is {package['ModelApprovalStatus']}, not "
            "Approved: approve it in the model registry first"
        )


@dataclass(frozen=True)
class ServingArgs:
    endpoint_name: str
    model_package_arn: str
    execution_role_arn: str
    instance_type: str
    instance_count: int
    kms_key_arn: str
    capture_uri: str  # s3://<bucket>/<prefix>: the drift monitor reads what lands there
    rollback_alarms: tuple[str, ...]
    rollout: Rollout
    autoscaling: Autoscaling | None = None
    tags: tuple[tuple[str, str], ...] = ()
    sampling_percentage: int = 100
    network_isolation: bool = True
    previous_model_package_arn: str | None = None
    """The package served before this deploy: its model and endpoint config are kept."""

    @property
    def versioned_name(self) -> str:
        return versioned_name(self.endpoint_name, self.model_package_arn)

    @property
    def kept_packages(self) -> tuple[str, ...]:
        """The packages whose model and endpoint config the stack holds, the served one first."""
        previous = self.previous_model_package_arn
        if not previous or version_of(previous) == version_of(self.model_package_arn):
            return (self.model_package_arn,)
        return (self.model_package_arn, previous)

    @classmethod
    def of(
        cls, config: PlatformConfig, model_package_arn: str, previous: str | None = None
    ) -> ServingArgs:
        return cls(
            endpoint_name=config.endpoint_name,
            model_package_arn=model_package_arn,
            execution_role_arn=config.execution_role_arn,
            instance_type=config.settings.endpoint_instance_type,
            instance_count=config.settings.endpoint_instance_count,
            kms_key_arn=config.kms_key_arn,
            capture_uri=f"s3://{config.artifact_bucket}/{data_capture_prefix(config.project)}",
            rollback_alarms=config.alarm_names,
            rollout=config.settings.rollout,
            autoscaling=config.settings.autoscaling,
            tags=config.settings.tags,
            network_isolation=config.settings.network_isolation,
            previous_model_package_arn=previous,
        )


class ServingStack(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str]
    endpoint_config_name: pulumi.Output[str]
    model_name: pulumi.Output[str]

    def __init__(self, name: str, args: ServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:serving:ServingStack", name, None, opts)
        self._base, self._args = name, args
        model, endpoint_config = None, None
        for package in reversed(args.kept_packages):  # the served one last: it is the one used
            model = self._create_model(package)
            endpoint_config = self._create_endpoint_config(package, model)
        endpoint = self._create_endpoint(endpoint_config)
        if args.autoscaling is not None:
            self._create_autoscaling(endpoint, args.autoscaling)
        self.endpoint_name = endpoint.name
        self.endpoint_config_name = endpoint_config.name
        self.model_name = model.name
        self.register_outputs({
            "endpoint_name": self.endpoint_name,
            "endpoint_config_name": self.endpoint_config_name,
            "model_name": self.model_name,
        })

    def _child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)

    def _versioned(self) -> pulumi.ResourceOptions:
        # a version's name is fixed, so a changed setting must delete it before creating it anew
        return pulumi.ResourceOptions(parent=self, delete_before_replace=True)

    @property
    def _tags(self) -> dict[str, str]:
        return dict(self._args.tags)

    def _create_model(self, package: str) -> aws.sagemaker.Model:
        a = self._args
        tags = self._tags
        if not a.network_isolation:
            tags[NETWORK_ISOLATION_WAIVER_TAG] = "serving.networkIsolation is false in the config"
        return aws.sagemaker.Model(
            f"{self._base}-model-v{version_of(package)}",
            name=versioned_name(a.endpoint_name, package),
            execution_role_arn=a.execution_role_arn,
            primary_container={"model_package_name": package},
            enable_network_isolation=a.network_isolation,
            tags=tags,
            opts=self._versioned(),
        )

    def _create_endpoint_config(self, package: str, model: aws.sagemaker.Model):
        a = self._args
        return aws.sagemaker.EndpointConfiguration(
            f"{self._base}-endpoint-config-v{version_of(package)}",
            name=versioned_name(a.endpoint_name, package),
            kms_key_arn=a.kms_key_arn,
            production_variants=[{
                "variant_name": ENDPOINT_VARIANT,
                "model_name": model.name,
                "instance_type": a.instance_type,
                "initial_instance_count": a.instance_count,
                "initial_variant_weight": 1,
            }],
            data_capture_config={
                "enable_capture": True,
                "initial_sampling_percentage": a.sampling_percentage,
                "destination_s3_uri": a.capture_uri,
                "kms_key_id": a.kms_key_arn,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                "capture_content_type_header": {
                    "csv_content_types": list(CAPTURE_CSV_TYPES),
                    "json_content_types": list(CAPTURE_JSON_TYPES),
                },
            },
            tags=self._tags,
            opts=self._versioned(),
        )

    def _create_endpoint(self, endpoint_config) -> aws.sagemaker.Endpoint:
        a = self._args
        deployment: dict = {"blue_green_update_policy": blue_green_policy(a.rollout)}
        if a.rollback_alarms:
            deployment["auto_rollback_configuration"] = {
                "alarms": [{"alarm_name": alarm} for alarm in a.rollback_alarms]
            }
        return aws.sagemaker.Endpoint(
            f"{self._base}-endpoint",
            name=a.endpoint_name,
            endpoint_config_name=endpoint_config.name,
            deployment_config=deployment,
            tags=self._tags,
            opts=self._child(),
        )

    def _create_autoscaling(self, endpoint: aws.sagemaker.Endpoint, scaling: Autoscaling) -> None:
        resource_id = pulumi.Output.concat(
            "endpoint/", endpoint.name, "/variant/", ENDPOINT_VARIANT
        )
        target = aws.appautoscaling.Target(
            f"{self._base}-scaling-target",
            service_namespace="sagemaker",
            resource_id=resource_id,
            scalable_dimension=SCALABLE_DIMENSION,
            min_capacity=scaling.min_instances,
            max_capacity=scaling.max_instances,
            tags=self._tags,
            opts=self._child(),
        )
        aws.appautoscaling.Policy(
            f"{self._base}-scaling-policy",
            name=f"{self._args.endpoint_name}-invocations",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration={
                "target_value": scaling.target_invocations_per_instance,
                "predefined_metric_specification": {
                    "predefined_metric_type": INVOCATIONS_PER_INSTANCE,
                },
                "scale_in_cooldown": scaling.scale_in_cooldown_seconds,
                "scale_out_cooldown": scaling.scale_out_cooldown_seconds,
            },
            opts=self._child(),
        )


def blue_green_policy(rollout: Rollout) -> dict:
    routing: dict = {"type": rollout.type, "wait_interval_in_seconds": rollout.wait_seconds}
    step = {"type": "CAPACITY_PERCENT", "value": rollout.step_percent}
    if rollout.type == "CANARY":
        routing["canary_size"] = step
    elif rollout.type == "LINEAR":
        routing["linear_step_size"] = step
    steps = {"ALL_AT_ONCE": 1, "CANARY": 2, "LINEAR": -(-100 // rollout.step_percent)}[rollout.type]
    waits = steps * rollout.wait_seconds + rollout.termination_wait_seconds
    return {
        "traffic_routing_configuration": routing,
        "termination_wait_in_seconds": rollout.termination_wait_seconds,
        # SageMaker allows 600 to 14400 seconds; it must exceed the waits (plus starting the fleet)
        "maximum_execution_timeout_in_seconds": min(14400, max(600, waits + 1800)),
    }
