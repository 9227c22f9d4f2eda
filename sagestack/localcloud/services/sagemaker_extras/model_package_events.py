""" "SageMaker Model Package State Change" on the default event bus, as SageMaker emits it.

Put on the bus (moto's events backend ``put_events``, same account and region) when a versioned
model package is created and whenever its approval status changes; delivering it to the rules'
targets is the events add-on's job. The detail follows the sample in "Events that Amazon
SageMaker AI sends to Amazon EventBridge", model package state change
(https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html): the
package as DescribeModelPackage shows it, but with ISO 8601 times, ``LastModifiedTime`` from
creation on, each container's ``ImageDigest``, and without ``CreatedBy``/``LastModifiedBy`` or an
empty ``CustomerMetadataProperties``. The schema registry's ``aws.sagemaker@SageMakerModelPackage
StateChange`` names only a few of these keys, none of them conflicting.

Two moto gaps are closed on the way, since the approval flow depends on them: a versioned package
created without a status is ``PendingManualApproval`` (moto leaves it empty), and an update that
does not name the approval description or customer metadata keeps them (moto erases them; AWS
merges new metadata keys into the old).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sagestack.contract import MODEL_PACKAGE_STATE_CHANGE
from sagestack.localcloud import moto as moto_internals

SOURCE = "aws.sagemaker"


def on_create(original: Any, backend: Any, *args: Any, **kwargs: Any) -> str:
    if kwargs.get("model_package_group_name") and not kwargs.get("model_approval_status"):
        kwargs["model_approval_status"] = "PendingManualApproval"
    arn = original(*args, **kwargs)
    _put_state_change(backend, backend.describe_model_package(arn))
    return arn


def on_update(original: Any, backend: Any, *args: Any, **kwargs: Any) -> str:
    package = backend.describe_model_package(kwargs["model_package_arn"])
    status_before = package.model_approval_status
    kept = {
        "approval_description": package.approval_description,
        "customer_metadata_properties": package.customer_metadata_properties,
    }
    if kwargs.get("model_approval_status") is None:
        kwargs["model_approval_status"] = status_before
    if kwargs.get("approval_description") is None:
        kwargs["approval_description"] = kept["approval_description"]
    # AWS merges the given metadata into what the package has
    kwargs["customer_metadata_properties"] = {
        **(kept["customer_metadata_properties"] or {}),
        **(kwargs.get("customer_metadata_properties") or {}),
    }
    arn = original(*args, **kwargs)
    if package.model_approval_status != status_before:
        _put_state_change(backend, package)
    return arn


def _put_state_change(sagemaker_backend: Any, package: Any) -> None:
    if package.model_package_group_name is None:
        return  # unversioned packages have no approval workflow
    detail = event_detail(package.gen_response_object())
    events = moto_internals.backend(
        "events", sagemaker_backend.account_id, sagemaker_backend.region_name
    )
    events.put_events(
        [
            {
                "Source": SOURCE,
                "DetailType": MODEL_PACKAGE_STATE_CHANGE,
                "Detail": json.dumps(detail),
                "Resources": [package.arn],
            }
        ]
    )


_NOT_IN_EVENTS = ("CreatedBy", "LastModifiedBy")


def event_detail(described: dict[str, Any]) -> dict[str, Any]:
    """The detail SageMaker sends, from what DescribeModelPackage shows."""
    detail = {k: v for k, v in described.items() if k not in _NOT_IN_EVENTS}
    if not detail.get("CustomerMetadataProperties"):
        detail.pop("CustomerMetadataProperties", None)
    detail.setdefault("LastModifiedTime", detail.get("CreationTime"))
    for container in (detail.get("InferenceSpecification") or {}).get("Containers", []):
        if container.get("Image") and not container.get("ImageDigest"):
            container["ImageDigest"] = image_digest(container["Image"])
    return _iso_times(detail)


def image_digest(image: str) -> str:
    """SageMaker resolves the image's digest in ECR; the local cloud has no registry, so the
    digest is derived from the image URI (stable, and shaped like ECR's)."""
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def _iso_times(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {key: _iso_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_times(item) for item in value]
    return value
