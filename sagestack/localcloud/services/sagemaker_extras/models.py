"""State moto's SageMaker backend lacks: monitoring schedules and pipeline execution steps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.exceptions import (
    ResourceInUse,
    ResourceNotFound,
    ValidationException,
)

PAGINATION_MODEL = {
    "list_monitoring_schedules": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "MonitoringScheduleArn",
    },
    "list_pipeline_execution_steps": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "StepName",
    },
}

MONITORING_TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
_SUMMARY_KEYS = (
    "MonitoringScheduleName",
    "MonitoringScheduleArn",
    "CreationTime",
    "LastModifiedTime",
    "MonitoringScheduleStatus",
    "EndpointName",
    "MonitoringJobDefinitionName",
    "MonitoringType",
)


class SageMakerExtrasBackend(moto_internals.BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.monitoring_schedules: dict[str, dict[str, Any]] = {}
        # pipeline execution ARN -> its steps, newest first (as AWS lists them); the pipeline
        # executor records them through record_pipeline_execution_step
        self.pipeline_execution_steps: dict[str, list[dict[str, Any]]] = {}

    # --- monitoring schedules ---

    def create_monitoring_schedule(
        self, name: str, config: dict[str, Any], tags: list[dict[str, str]] | None
    ) -> str:
        if name in self.monitoring_schedules:
            raise ResourceInUse(f"Monitoring schedule {name} already exists")
        monitoring_type = config.get("MonitoringType", "DataQuality")
        if monitoring_type not in MONITORING_TYPES:
            raise ValidationException(
                f"MonitoringType '{monitoring_type}' is invalid: use one of "
                + ", ".join(MONITORING_TYPES)
            )
        definition_name = config.get("MonitoringJobDefinitionName")
        inline = config.get("MonitoringJobDefinition")
        if bool(definition_name) == bool(inline):
            raise ValidationException(
                "MonitoringScheduleConfig needs exactly one of MonitoringJobDefinitionName and "
                "MonitoringJobDefinition"
            )
        now = datetime.now(UTC)
        arn = (
            f"arn:{self.partition}:sagemaker:{self.region_name}:{self.account_id}:"
            f"monitoring-schedule/{name.lower()}"
        )
        schedule = {
            "MonitoringScheduleArn": arn,
            "MonitoringScheduleName": name,
            "MonitoringScheduleStatus": "Scheduled",
            "MonitoringType": monitoring_type,
            "CreationTime": now,
            "LastModifiedTime": now,
            "MonitoringScheduleConfig": {**config, "MonitoringType": monitoring_type},
            "EndpointName": self._endpoint_of(definition_name, monitoring_type, inline),
            "Tags": list(tags or []),
        }
        if definition_name:
            schedule["MonitoringJobDefinitionName"] = definition_name
        self.monitoring_schedules[name] = schedule
        return arn

    def describe_monitoring_schedule(self, name: str) -> dict[str, Any]:
        schedule = self._schedule(name)
        return {key: value for key, value in schedule.items() if key != "Tags"}

    @moto_internals.paginate(pagination_model=PAGINATION_MODEL)
    def list_monitoring_schedules(
        self,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        status_equals: str | None = None,
        monitoring_type_equals: str | None = None,
        sort_by: str = "CreationTime",
        sort_order: str = "Descending",
    ) -> list[dict[str, Any]]:
        schedules = [
            s
            for s in self.monitoring_schedules.values()
            if (endpoint_name is None or s["EndpointName"] == endpoint_name)
            and (name_contains is None or name_contains in s["MonitoringScheduleName"])
            and (status_equals is None or s["MonitoringScheduleStatus"] == status_equals)
            and (monitoring_type_equals is None or s["MonitoringType"] == monitoring_type_equals)
        ]
        key = {"Name": "MonitoringScheduleName", "Status": "MonitoringScheduleStatus"}.get(
            sort_by, "CreationTime"
        )
        schedules.sort(key=lambda s: s[key], reverse=sort_order == "Descending")
        return [{k: s[k] for k in _SUMMARY_KEYS if s.get(k) is not None} for s in schedules]

    def delete_monitoring_schedule(self, name: str) -> None:
        self._schedule(name)
        del self.monitoring_schedules[name]

    def _schedule(self, name: str) -> dict[str, Any]:
        if name not in self.monitoring_schedules:
            raise ResourceNotFound(f"Monitoring schedule {name} does not exist")
        return self.monitoring_schedules[name]

    def _endpoint_of(
        self, definition_name: str | None, monitoring_type: str, inline: dict | None
    ) -> str | None:
        if inline:
            inputs = inline.get("MonitoringInputs") or [{}]
            return inputs[0].get("EndpointInput", {}).get("EndpointName")
        sagemaker = moto_internals.backend("sagemaker", self.account_id, self.region_name)
        definitions = {
            "DataQuality": sagemaker.data_quality_job_definitions,
            "ModelQuality": sagemaker.model_quality_job_definitions,
            "ModelBias": sagemaker.model_bias_job_definitions,
            "ModelExplainability": sagemaker.model_explainability_job_definitions,
        }[monitoring_type]
        definition = _find_definition(definitions, definition_name)
        if definition is None:
            raise ResourceNotFound(
                f"{monitoring_type} job definition {definition_name} does not exist"
            )
        return _endpoint_name_in(definition)

    # --- pipeline execution steps ---

    @moto_internals.paginate(pagination_model=PAGINATION_MODEL)
    def list_pipeline_execution_steps(
        self, pipeline_execution_arn: str, sort_order: str = "Descending"
    ) -> list[dict[str, Any]]:
        _check_pipeline_execution(self.account_id, self.region_name, pipeline_execution_arn)
        steps = self.pipeline_execution_steps.get(pipeline_execution_arn, [])
        return list(steps) if sort_order == "Descending" else list(reversed(steps))

    def record_pipeline_execution_step(self, pipeline_execution_arn: str, step: dict) -> None:
        """Add a step of an execution (the newest started comes first, as AWS lists them), or
        replace it where it is (by StepName) when its status changes."""
        _check_pipeline_execution(self.account_id, self.region_name, pipeline_execution_arn)
        steps = self.pipeline_execution_steps.setdefault(pipeline_execution_arn, [])
        for position, recorded in enumerate(steps):
            if recorded["StepName"] == step["StepName"]:
                steps[position] = step
                return
        steps.insert(0, step)


def _find_definition(definitions: dict[str, Any], name: str | None) -> Any:
    for key, definition in definitions.items():
        if name in (key, getattr(definition, "job_definition_name", None)):
            return definition
    return None


def _endpoint_name_in(definition: Any) -> str | None:
    for attribute in (
        "data_quality_job_input",
        "model_quality_job_input",
        "model_bias_job_input",
        "model_explainability_job_input",
    ):
        job_input = getattr(definition, attribute, None) or {}
        if "EndpointInput" in job_input:
            return job_input["EndpointInput"].get("EndpointName")
    return None


def _check_pipeline_execution(account_id: str, region: str, execution_arn: str) -> None:
    sagemaker = moto_internals.backend("sagemaker", account_id, region)
    for pipeline in sagemaker.pipelines.values():
        if execution_arn in pipeline.pipeline_executions:
            return
    raise ResourceNotFound(f"Pipeline execution {execution_arn} does not exist")


sagemaker_extras_backends = moto_internals.addon_backends(
    SageMakerExtrasBackend, "sagemaker-extras", regions_of="sagemaker"
)
