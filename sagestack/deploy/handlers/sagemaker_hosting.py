"""SageMaker hosting: models, endpoint configurations and endpoints.

Models and endpoint configurations cannot change in place (every change replaces them, as in the
AWS provider). An endpoint is created and updated as the provider does it: CreateEndpoint or
UpdateEndpoint (blue/green, with its deployment config), then a wait for ``InService``; a
``Failed`` endpoint fails the deploy with SageMaker's FailureReason. Where the provider reports
an update that SageMaker rolled back as a success, this handler fails it, naming the reason, so a
deploy never records a model that does not serve.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from sagestack.clients import AwsClients
from sagestack.deploy.errors import DeployError
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request, tag_list

WAIT_POLL_SECONDS = 0.5
WAIT_TIMEOUT_SECONDS = 3600.0  # the provider waits up to 60 minutes
_PENDING = ("Creating", "Updating", "SystemUpdating")
_PROVIDER_ONLY = ("tags", "region", "namePrefix")


def _named(desired: Desired) -> dict[str, Any]:
    return {**desired.inputs, "name": desired.physical_name()}


def create_model(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    sagemaker = cloud.client("sagemaker")
    request = build_request(
        sagemaker,
        "CreateModel",
        _named(desired),
        renames={"name": "ModelName"},
        ignore=_PROVIDER_ONLY,
    )
    arn = sagemaker.create_model(**request, Tags=tag_list(desired.get("tags")))["ModelArn"]
    return Applied(request["ModelName"], {"arn": arn, "name": request["ModelName"]})


def delete_model(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("sagemaker").delete_model(ModelName=name)


def create_endpoint_config(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    sagemaker = cloud.client("sagemaker")
    request = build_request(
        sagemaker,
        "CreateEndpointConfig",
        _named(desired),
        renames={
            "name": "EndpointConfigName",
            "kmsKeyArn": "KmsKeyId",
            "routingConfigs": "RoutingConfig",
        },
        ignore=_PROVIDER_ONLY,
    )
    response = sagemaker.create_endpoint_config(**request, Tags=tag_list(desired.get("tags")))
    name = request["EndpointConfigName"]
    return Applied(name, {"arn": response["EndpointConfigArn"], "name": name})


def delete_endpoint_config(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("sagemaker").delete_endpoint_config(EndpointConfigName=name)


def _endpoint_request(cloud: AwsClients, operation: str, desired: Desired) -> dict[str, Any]:
    return build_request(
        cloud.client("sagemaker"),
        operation,
        _named(desired),
        renames={"name": "EndpointName"},
        ignore=_PROVIDER_ONLY,
    )


def create_endpoint(cloud: AwsClients, desired: Desired, checkpoint: Checkpoint) -> Applied:
    request = _endpoint_request(cloud, "CreateEndpoint", desired)
    name = request["EndpointName"]
    arn = cloud.client("sagemaker").create_endpoint(**request, Tags=tag_list(desired.get("tags")))
    checkpoint(name)
    described = wait_in_service(cloud, name)
    return Applied(name, {"arn": arn["EndpointArn"], "name": described["EndpointName"]})


def update_endpoint(cloud: AwsClients, name: str, desired: Desired) -> Applied:
    sagemaker = cloud.client("sagemaker")
    wanted = desired.get("endpointConfigName")
    current = sagemaker.describe_endpoint(EndpointName=name)
    if current["EndpointConfigName"] != wanted:
        request = _endpoint_request(cloud, "UpdateEndpoint", desired)
        sagemaker.update_endpoint(**request)
        current = wait_in_service(cloud, name)
        if current["EndpointConfigName"] != wanted:
            raise DeployError(
                f"endpoint {name} rolled back to {current['EndpointConfigName']} instead of "
                f"serving {wanted}: {current.get('FailureReason') or 'no reason given'}"
            )
    if desired.get("tags"):
        sagemaker.add_tags(ResourceArn=current["EndpointArn"], Tags=tag_list(desired.get("tags")))
    return Applied(name, {"arn": current["EndpointArn"], "name": name})


def wait_in_service(cloud: AwsClients, name: str, timeout: float = WAIT_TIMEOUT_SECONDS) -> dict:
    """DescribeEndpoint once it is ``InService``; raises when it fails or takes too long."""
    deadline = time.monotonic() + timeout
    while True:
        described = cloud.client("sagemaker").describe_endpoint(EndpointName=name)
        status = described["EndpointStatus"]
        if status == "InService":
            return described
        if status not in _PENDING:
            raise DeployError(
                f"endpoint {name} is {status}, not InService: "
                f"{described.get('FailureReason') or 'no reason given'}"
            )
        if time.monotonic() > deadline:
            raise DeployError(f"endpoint {name} was still {status} after {timeout:.0f} s")
        time.sleep(WAIT_POLL_SECONDS)


def delete_endpoint(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    sagemaker = cloud.client("sagemaker")
    sagemaker.delete_endpoint(EndpointName=name)
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            sagemaker.describe_endpoint(EndpointName=name)
        except ClientError as error:
            if "Could not find endpoint" in error.response["Error"]["Message"]:
                return
            raise
        time.sleep(WAIT_POLL_SECONDS)


HANDLERS = {
    "aws:sagemaker/model:Model": Handler(create=create_model, delete=delete_model),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": Handler(
        create=create_endpoint_config, delete=delete_endpoint_config
    ),
    "aws:sagemaker/endpoint:Endpoint": Handler(
        create=create_endpoint,
        delete=delete_endpoint,
        update=update_endpoint,
        replace_on=frozenset({"name"}),
    ),
}
