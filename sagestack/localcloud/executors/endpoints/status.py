"""An endpoint as DescribeEndpoint shows it, and the events SageMaker puts on the bus for it.

The record is moto's own endpoint object (so ListEndpoints and tags keep working and the local
cloud's saved state holds it); the executor sets its status, failure reason, variants and
deployment summaries, and every status change puts "SageMaker Endpoint State Change" on the
default bus (during a blue/green update also "SageMaker Endpoint Deployment State Change").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud.executors import events
from sagestack.localcloud.executors.endpoints.capture import CaptureConfig

SOURCE = "aws.sagemaker"
STATE_CHANGE = "SageMaker Endpoint State Change"
DEPLOYMENT_STATE_CHANGE = "SageMaker Endpoint Deployment State Change"
CREATING, UPDATING, IN_SERVICE, FAILED, DELETING = (
    "Creating",
    "Updating",
    "InService",
    "Failed",
    "Deleting",
)


def now() -> datetime:
    """The local cloud's time, naive UTC as moto keeps it."""
    return clock.current().now().replace(tzinfo=None)


def resolved_image(uri: str, at: datetime) -> dict[str, Any]:
    """What DeployedImages says about an image (the digest is a stand-in: no registry is read)."""
    digest = hashlib.sha256(uri.encode()).hexdigest()
    return {
        "SpecifiedImage": uri,
        "ResolvedImage": f"{uri.rsplit(':', 1)[0]}@sha256:{digest}",
        "ResolutionTime": at,
    }


def variant_summary(
    name: str,
    weight: float,
    current: int,
    desired: int,
    image_uri: str | None,
    at: datetime,
    variant_status: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    summary: dict[str, Any] = {"VariantName": name}
    if image_uri:
        summary["DeployedImages"] = [resolved_image(image_uri, at)]
    summary.update(
        CurrentWeight=weight,
        DesiredWeight=weight,
        CurrentInstanceCount=current,
        DesiredInstanceCount=desired,
    )
    if variant_status:
        summary["VariantStatus"] = variant_status
    return summary


def capture_summary(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    enabled = CaptureConfig.from_api(config) is not None
    summary = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": int(config.get("InitialSamplingPercentage", 0)),
        "DestinationS3Uri": config.get("DestinationS3Uri"),
    }
    if config.get("KmsKeyId"):
        summary["KmsKeyId"] = config["KmsKeyId"]
    return summary


def describe(endpoint: Any) -> dict[str, Any]:
    """DescribeEndpoint's answer for moto's endpoint object as the executor keeps it."""
    response = {
        "EndpointName": endpoint.endpoint_name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.endpoint_config_name,
        "ProductionVariants": endpoint.production_variants,
        "DataCaptureConfig": getattr(endpoint, "data_capture_summary", None),
        "EndpointStatus": endpoint.endpoint_status,
        "FailureReason": endpoint.failure_reason or None,
        "CreationTime": endpoint.creation_time,
        "LastModifiedTime": endpoint.last_modified_time,
        "LastDeploymentConfig": getattr(endpoint, "last_deployment_config", None),
        "PendingDeploymentSummary": getattr(endpoint, "pending_deployment_summary", None),
    }
    return {key: value for key, value in response.items() if value is not None}


def set_status(endpoint: Any, status: str, failure_reason: str | None = None) -> None:
    """Move the endpoint to ``status`` and announce it."""
    endpoint.endpoint_status = status
    if failure_reason is not None:
        endpoint.failure_reason = failure_reason
    endpoint.last_modified_time = now()
    announce(endpoint)


def announce(endpoint: Any, detail_type: str = STATE_CHANGE) -> None:
    account_id, region = _account_and_region(endpoint.arn)
    detail = {
        "EndpointName": endpoint.endpoint_name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.endpoint_config_name,
        "ProductionVariants": _event_variants(endpoint.production_variants, detail_type),
        "EndpointStatus": _screaming(endpoint.endpoint_status),
        "CreationTime": _millis(endpoint.creation_time),
        "LastModifiedTime": _millis(endpoint.last_modified_time),
        "Tags": {tag["Key"]: tag["Value"] for tag in endpoint.tags or []},
    }
    if endpoint.failure_reason:
        detail["FailureReason"] = endpoint.failure_reason
    pending = getattr(endpoint, "pending_deployment_summary", None)
    if detail_type == DEPLOYMENT_STATE_CHANGE and pending:
        detail["PendingDeploymentSummary"] = millis_in(pending)
    events.put_event(account_id, region, SOURCE, detail_type, detail, [endpoint.arn])


def _event_variants(variants: Iterable[Mapping[str, Any]], detail_type: str) -> list[dict]:
    if detail_type == DEPLOYMENT_STATE_CHANGE:
        keys = (
            "VariantName",
            "CurrentWeight",
            "DesiredWeight",
            "CurrentInstanceCount",
            "DesiredInstanceCount",
            "VariantStatus",
        )
    else:
        keys = ("DesiredWeight", "DesiredInstanceCount")
    return [millis_in({k: v[k] for k in keys if k in v}) for v in variants]


def _screaming(status: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", status).upper()  # InService -> IN_SERVICE


def _millis(moment: datetime) -> float:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.timestamp() * 1000


def millis_in(value: Any) -> Any:
    if isinstance(value, datetime):
        return _millis(value)
    if isinstance(value, Mapping):
        return {key: millis_in(item) for key, item in value.items()}
    if isinstance(value, list):
        return [millis_in(item) for item in value]
    return value


def _account_and_region(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[3]
