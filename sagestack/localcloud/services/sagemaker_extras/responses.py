"""moto's SageMaker responses, plus the operations and fixes the platform needs.

Routing stays moto's own ``urls.py``: :func:`moto_internals.extend_service` points it at this
subclass, which inherits every operation moto implements.
"""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.moto import ActionResult, EmptyResult
from sagestack.localcloud.services.exceptions import ConflictException, ResourceNotFound

from .models import SageMakerExtrasBackend, sagemaker_extras_backends


class SageMakerExtrasResponse(moto_internals.moto_responses_class("sagemaker")):  # type: ignore[misc]
    @property
    def extras(self) -> SageMakerExtrasBackend:
        return sagemaker_extras_backends[self.current_account][self.region]

    # --- monitoring schedules ---

    def create_monitoring_schedule(self) -> ActionResult:
        arn = self.extras.create_monitoring_schedule(
            self._get_param("MonitoringScheduleName"),
            self._get_param("MonitoringScheduleConfig"),
            self._get_param("Tags"),
        )
        return ActionResult({"MonitoringScheduleArn": arn})

    def describe_monitoring_schedule(self) -> ActionResult:
        name = self._get_param("MonitoringScheduleName")
        return ActionResult(self.extras.describe_monitoring_schedule(name))

    def list_monitoring_schedules(self) -> ActionResult:
        summaries, next_token = self.extras.list_monitoring_schedules(
            endpoint_name=self._get_param("EndpointName"),
            name_contains=self._get_param("NameContains"),
            status_equals=self._get_param("StatusEquals"),
            monitoring_type_equals=self._get_param("MonitoringTypeEquals"),
            sort_by=self._get_param("SortBy") or "CreationTime",
            sort_order=self._get_param("SortOrder") or "Descending",
            next_token=self._get_param("NextToken"),
            max_results=self._get_param("MaxResults"),
        )
        return ActionResult({"MonitoringScheduleSummaries": summaries, "NextToken": next_token})

    def delete_monitoring_schedule(self) -> ActionResult:
        self.extras.delete_monitoring_schedule(self._get_param("MonitoringScheduleName"))
        return EmptyResult()

    # --- pipeline execution steps ---

    def list_pipeline_execution_steps(self) -> ActionResult:
        steps, next_token = self.extras.list_pipeline_execution_steps(
            pipeline_execution_arn=self._get_param("PipelineExecutionArn"),
            sort_order=self._get_param("SortOrder") or "Descending",
            next_token=self._get_param("NextToken"),
            max_results=self._get_param("MaxResults"),
        )
        return ActionResult({"PipelineExecutionSteps": steps, "NextToken": next_token})

    # --- deletes moto lacks (the applier removes a project's slice with them) ---

    def delete_model_package_group(self) -> ActionResult:
        name = self._get_param("ModelPackageGroupName")
        group = self.sagemaker_backend.describe_model_package_group(name)  # or ValidationError
        packages = [
            p
            for p in self.sagemaker_backend.model_packages.values()
            if p.model_package_group_name == group.model_package_group_name
        ]
        if packages:
            raise ConflictException(
                f"Model package group {name} still has {len(packages)} model package(s); "
                "delete them first"
            )
        del self.sagemaker_backend.model_package_groups[group.model_package_group_name]
        return EmptyResult()

    def delete_model_package(self) -> ActionResult:
        backend = self.sagemaker_backend
        package = backend.describe_model_package(self._get_param("ModelPackageName"))
        del backend.model_packages[package.arn]
        for alias in [
            k for k, arn in backend.model_package_name_mapping.items() if arn == package.arn
        ]:
            del backend.model_package_name_mapping[alias]
        return EmptyResult()

    def delete_feature_group(self) -> ActionResult:
        group = self._feature_group(self._get_param("FeatureGroupName"))
        del self.sagemaker_backend.feature_groups[group.arn]
        return EmptyResult()

    # --- feature groups: moto drops OnlineStoreConfig and needs an offline store ---

    def create_feature_group(self) -> ActionResult:
        offline = self._get_param("OfflineStoreConfig")
        if offline is None:
            self._set_param("OfflineStoreConfig", {"S3StorageConfig": {"S3Uri": ""}})
        result = super().create_feature_group()
        group = self._feature_group(self._get_param("FeatureGroupName"))
        group.online_store_config = self._get_param("OnlineStoreConfig")
        if offline is None:
            group.offline_store_config = None
        return result

    def describe_feature_group(self) -> ActionResult:
        group = self._feature_group(self._get_param("FeatureGroupName"))
        description = group.describe()
        online = getattr(group, "online_store_config", None)
        if online:
            description["OnlineStoreConfig"] = online
        return ActionResult({k: v for k, v in description.items() if v is not None})

    def _feature_group(self, name: str) -> Any:
        group = moto_internals.find_feature_group(self.current_account, self.region, name)
        if group is not None:
            return group
        raise ResourceNotFound(f"Resource Not Found: FeatureGroup {name} does not exist")

    def _set_param(self, name: str, value: Any) -> None:
        self.params[name] = value  # moto parsed the request into self.params
