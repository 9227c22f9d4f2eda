"""C9 monitoring with SageMaker Model Monitor, for projects that set ``drift.monitor:
model-monitor``: a data-quality job definition and its monitoring schedule on the project's
endpoint, run as a role of its own. Model Monitor publishes ``feature_baseline_drift_<feature>``
(namespace ``aws/sagemaker/Endpoints/data-metrics``, dimensions Endpoint and MonitoringSchedule);
the project's :class:`~sagestack_infra.components.monitoring.Monitoring` alarms on those
instead of the sagestack metrics, so topic, alarm names and the retrain rule stay the same.

The endpoint must exist first. SageMaker refuses CreateMonitoringSchedule for an endpoint it
cannot find, and the endpoint is created by the deploy build after the first approval. So a
project starts on the sagestack monitor (the default: its scheduled runs find no captures and
exit cleanly); once its first model is deployed, set ``drift.monitor: model-monitor`` and run
``pulumi up``. The deploy build must also write Model Monitor's baseline (``statistics.json`` and
``constraints.json`` of a baselining job on the training data, run on a CSV with a header row so
Model Monitor names the features as ``drift.features`` does) under
``contract.model_monitor_baseline_prefix(project)``; without it the job has nothing to compare.
``drift.threshold`` is then Model Monitor's baseline drift distance (0 to 1), not a PSI.
Model Monitor is closed to new AWS customers; accounts that never used it stay on the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.components.drift_monitor import processing_role_statements
from sagestack_infra.grants import ServiceRole, access
from sagestack_pipelines.drift_monitor.pipeline import (
    MODEL_MONITOR_IMAGE_CONFIG,
    sagemaker_image_uri,
)

IMAGE_REPOSITORY = "sagemaker-model-monitor-analyzer"
ENDPOINT_INPUT_PATH = "/opt/ml/processing/input/endpoint"
OUTPUT_PATH = "/opt/ml/processing/output"


@dataclass(frozen=True)
class ModelMonitorArgs:
    project: str
    name: str
    """Of the job definition and the schedule (SageMaker allows 63 characters)."""
    role_name: str
    endpoint_name: str
    schedule_expression: str
    """Already in Model Monitor's form (:func:`model_monitor_schedule`)."""
    instance_type: str
    artifacts: ArtifactStore
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    volume_size_gb: int = 20
    max_runtime_seconds: int = 3600


class ModelMonitor(Component):
    schedule_name: str
    """The MonitoringSchedule dimension of the metrics the alarms watch."""

    def __init__(
        self, name: str, args: ModelMonitorArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:monitoring:ModelMonitor", name, None, opts)
        self._base = name
        self._args = args
        self.schedule_name = args.name
        self.role = ServiceRole.for_sagemaker(self, f"{name}-role", args)
        self._grant_role()
        self.job_definition = self._create_job_definition(depends_on=[self.role.attach()])
        self.schedule = aws.sagemaker.MonitoringSchedule(
            f"{name}-schedule",
            name=args.name,
            monitoring_schedule_config={
                "monitoring_job_definition_name": self.job_definition.name,
                "monitoring_type": "DataQuality",
                "schedule_config": {"schedule_expression": args.schedule_expression},
            },
            tags=args.tags,
            opts=self._child(),
        )
        self.register_outputs({"schedule_name": self.schedule_name})

    def _grant_role(self) -> None:
        a, role = self._args, self.role
        statements = processing_role_statements(
            region=a.region,
            account_id=a.account_id,
            kms_key_arn=a.kms_key_arn,
            metric_namespace=contract.MODEL_MONITOR_NAMESPACE,
            image_repository=IMAGE_REPOSITORY,
        )
        a.artifacts.grant_read(role, contract.data_capture_prefix(a.project))
        a.artifacts.grant_read(role, contract.model_monitor_baseline_prefix(a.project))
        a.artifacts.grant_write(role, contract.model_monitor_report_prefix(a.project))
        role.grant(
            access(*statements, kms_key_arn=a.kms_key_arn, kms_actions=iam.KMS_ENCRYPT_ACTIONS)
        )

    def _s3(self, key: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("s3://", self._args.artifacts.bucket_name, "/", key)

    def _create_job_definition(
        self, depends_on: list[pulumi.Resource]
    ) -> aws.sagemaker.DataQualityJobDefinition:
        a = self._args
        baseline = contract.model_monitor_baseline_prefix(a.project)
        image = pulumi.Output.from_input(a.region).apply(
            lambda region: sagemaker_image_uri(MODEL_MONITOR_IMAGE_CONFIG, region)
        )
        return aws.sagemaker.DataQualityJobDefinition(
            f"{self._base}-job-definition",
            name=a.name,
            role_arn=self.role.arn,
            data_quality_app_specification={
                "image_uri": image,
                # without it the analyzer writes reports but no CloudWatch metrics to alarm on
                "environment": {"publish_cloudwatch_metrics": "Enabled"},
            },
            data_quality_baseline_config={
                "statistics_resource": {
                    "s3_uri": self._s3(f"{baseline}/{contract.MODEL_MONITOR_STATISTICS}")
                },
                "constraints_resource": {
                    "s3_uri": self._s3(f"{baseline}/{contract.MODEL_MONITOR_CONSTRAINTS}")
                },
            },
            data_quality_job_input={
                "endpoint_input": {
                    "endpoint_name": a.endpoint_name,
                    "local_path": ENDPOINT_INPUT_PATH,
                    "s3_input_mode": "File",
                    "s3_data_distribution_type": "FullyReplicated",
                }
            },
            data_quality_job_output_config={
                "kms_key_id": a.kms_key_arn,
                "monitoring_outputs": {
                    "s3_output": {
                        "s3_uri": self._s3(contract.model_monitor_report_prefix(a.project)),
                        "local_path": OUTPUT_PATH,
                        "s3_upload_mode": "EndOfJob",
                    }
                },
            },
            job_resources={
                "cluster_config": {
                    "instance_count": 1,
                    "instance_type": a.instance_type,
                    "volume_size_in_gb": a.volume_size_gb,
                    "volume_kms_key_id": a.kms_key_arn,
                }
            },
            stopping_condition={"max_runtime_in_seconds": a.max_runtime_seconds},
            tags=a.tags,
            opts=self._child(depends_on=depends_on),
        )
