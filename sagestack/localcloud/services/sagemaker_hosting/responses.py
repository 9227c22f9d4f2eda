"""moto's SageMaker responses, with endpoints and transform jobs run by the local cloud.

Routing stays moto's ``urls.py``; :func:`moto_internals.extend_service` points it here.
"""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors.endpoints import (
    deployment,
    lifecycle,
    registry,
    status,
    transform,
)
from sagestack.localcloud.executors.endpoints.fleet import FleetPlan, NotRunLocally
from sagestack.localcloud.moto import ActionResult, EmptyResult
from sagestack.localcloud.services.exceptions import ValidationException


class SageMakerHostingResponse(moto_internals.moto_responses_class("sagemaker")):  # type: ignore[misc]
    # --- models ---

    def create_model(self) -> ActionResult:
        result = super().create_model()
        model = self.sagemaker_backend._models[self._get_param("ModelName")]
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation"))
        return result

    # --- endpoints ---

    def create_endpoint(self) -> ActionResult:
        name = self._get_param("EndpointName")
        if name in self.sagemaker_backend.endpoints:
            raise ValidationException(
                f'Cannot create already existing endpoint "{self._arn("endpoint", name)}".'
            )
        config = self._endpoint_config(self._get_param("EndpointConfigName"))
        _check_runs_locally(config)
        super().create_endpoint()
        endpoint = self.sagemaker_backend.endpoints[name]
        endpoint.arn = self._arn("endpoint", name)  # SageMaker lower-cases the name in the ARN
        lifecycle.create(endpoint, config)
        return ActionResult({"EndpointArn": endpoint.arn})

    def describe_endpoint(self) -> ActionResult:
        return ActionResult(status.describe(self._endpoint(self._get_param("EndpointName"))))

    def update_endpoint(self) -> ActionResult:
        endpoint = self._endpoint(self._get_param("EndpointName"))
        config = self._endpoint_config(self._get_param("EndpointConfigName"))
        deployment_config = self._get_param("DeploymentConfig")
        if deployment_config is None and self._get_param("RetainDeploymentConfig"):
            deployment_config = getattr(endpoint, "last_deployment_config", None)
        try:
            plan = deployment.validate(endpoint, config, deployment_config)
        except (ValueError, NotRunLocally) as error:
            raise ValidationException(str(error)) from None
        deployment.start(endpoint, plan, deployment_config)
        return ActionResult({"EndpointArn": endpoint.arn})

    def delete_endpoint(self) -> EmptyResult:
        name = self._get_param("EndpointName")
        lifecycle.delete(self._endpoint(name))
        del self.sagemaker_backend.endpoints[name]
        return EmptyResult()

    def update_endpoint_weights_and_capacities(self) -> ActionResult:
        endpoint = self._endpoint(self._get_param("EndpointName"))
        if endpoint.endpoint_status != status.IN_SERVICE:
            raise ValidationException(f'Cannot update in-progress endpoint "{endpoint.arn}".')
        result = super().update_endpoint_weights_and_capacities()
        live = registry.get(self.current_account, self.region, endpoint.endpoint_name)
        if live is not None:
            lifecycle.apply_weights_and_capacities(
                live, endpoint, self._get_param("DesiredWeightsAndCapacities")
            )
        return result

    # --- transform jobs ---

    def create_transform_job(self) -> ActionResult:
        name = self._get_param("TransformJobName")
        if name in self.sagemaker_backend.transform_jobs:
            raise ValidationException(
                "Job name must be unique within an AWS account and region, and a job with this "
                f"name already exists ({self._arn('transform-job', name)})"
            )
        self._model(self._get_param("ModelName"))
        result = super().create_transform_job()
        transform.start(self.sagemaker_backend.transform_jobs[name])
        return result

    def stop_transform_job(self) -> EmptyResult:
        name = self._get_param("TransformJobName")
        job = self.sagemaker_backend.transform_jobs.get(name)
        if job is None:
            raise ValidationException(
                f'Could not find transform job "{self._arn("transform-job", name)}".'
            )
        transform.stop(job)
        return EmptyResult()

    # --- lookups with SageMaker's wording (moto quotes with ' where SageMaker uses ") ---

    def _arn(self, kind: str, name: str) -> str:
        backend = self.sagemaker_backend
        where = f"{backend.partition}:sagemaker:{backend.region_name}:{backend.account_id}"
        return f"arn:{where}:{kind}/{name.lower()}"

    def _endpoint(self, name: str) -> Any:
        endpoint = self.sagemaker_backend.endpoints.get(name)
        if endpoint is None:
            raise ValidationException(f'Could not find endpoint "{self._arn("endpoint", name)}".')
        return endpoint

    def _endpoint_config(self, name: str) -> dict[str, Any]:
        config = self.sagemaker_backend.endpoint_configs.get(name)
        if config is None:
            raise ValidationException(
                f'Could not find endpoint configuration "{self._arn("endpoint-config", name)}".'
            )
        return config.response_object

    def _model(self, name: str) -> Any:
        model = self.sagemaker_backend._models.get(name)
        if model is None:
            raise ValidationException(f'Could not find model "{self._arn("model", name)}".')
        return model


def _check_runs_locally(config: dict[str, Any]) -> None:
    try:
        FleetPlan.from_config(config)
    except NotRunLocally as error:
        raise ValidationException(str(error)) from None
