"""Application Auto Scaling: scalable targets and scaling policies (both re-put on change)."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, put_style
from sagestack.deploy.requests import build_request

_TARGET_KEY = ("serviceNamespace", "resourceId", "scalableDimension")
_BY_TARGET = frozenset(_TARGET_KEY)


def _target_of(record_id: str) -> dict[str, str]:
    namespace, dimension, resource = record_id.split("|", 2)
    return {"ServiceNamespace": namespace, "ScalableDimension": dimension, "ResourceId": resource}


def register_target(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    autoscaling = cloud.client("application-autoscaling")
    request = build_request(
        autoscaling, "RegisterScalableTarget", desired.inputs, ignore=("region", "tags")
    )
    if desired.get("tags"):
        request["Tags"] = dict(desired.get("tags"))
    arn = autoscaling.register_scalable_target(**request).get("ScalableTargetARN", "")
    record_id = "|".join(
        (request["ServiceNamespace"], request["ScalableDimension"], request["ResourceId"])
    )
    return Applied(record_id, {"arn": arn})


def deregister_target(cloud: AwsClients, record_id: str, _outputs: dict[str, Any]) -> None:
    cloud.client("application-autoscaling").deregister_scalable_target(**_target_of(record_id))


def put_policy(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    autoscaling = cloud.client("application-autoscaling")
    inputs = {**desired.inputs, "name": desired.physical_name()}
    request = build_request(
        autoscaling, "PutScalingPolicy", inputs, renames={"name": "PolicyName"}, ignore=("region",)
    )
    response = autoscaling.put_scaling_policy(**request)
    record_id = "|".join(
        (
            request["ServiceNamespace"],
            request["ScalableDimension"],
            request["ResourceId"],
            request["PolicyName"],
        )
    )
    alarms = [alarm["AlarmARN"] for alarm in response.get("Alarms", [])]
    return Applied(
        record_id,
        {"arn": response["PolicyARN"], "alarmArns": alarms, "name": request["PolicyName"]},
    )


def delete_policy(cloud: AwsClients, record_id: str, _outputs: dict[str, Any]) -> None:
    target, _, name = record_id.rpartition("|")
    cloud.client("application-autoscaling").delete_scaling_policy(
        PolicyName=name, **_target_of(target)
    )


HANDLERS = {
    "aws:appautoscaling/target:Target": put_style(
        register_target, deregister_target, replace_on=_BY_TARGET
    ),
    "aws:appautoscaling/policy:Policy": put_style(
        put_policy, delete_policy, replace_on=_BY_TARGET | {"name"}
    ),
}
