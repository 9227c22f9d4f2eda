"""EventBridge: rules and their targets."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, put_style
from sagestack.deploy.requests import build_request, tag_list

DEFAULT_BUS = "default"
# Pulumi's names for a target's members where AWS's differ by more than case.
_TARGET_RENAMES = {
    "targetId": "Id",
    "inputPaths": "InputPathsMap",
    "sagemakerPipelineTarget": "SageMakerPipelineParameters",
    "pipelineParameterLists": "PipelineParameterList",
    "ecsTarget": "EcsParameters",
    "batchTarget": "BatchParameters",
    "kinesisTarget": "KinesisParameters",
    "sqsTarget": "SqsParameters",
    "httpTarget": "HttpParameters",
    "redshiftTarget": "RedshiftDataParameters",
}


def put_rule(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    events = cloud.client("events")
    inputs = {**desired.inputs, "name": desired.physical_name()}
    # Pulumi's state input is the rule's State; its older isEnabled flag maps onto it.
    if "isEnabled" in inputs:
        inputs.setdefault("state", "ENABLED" if inputs.pop("isEnabled") else "DISABLED")
    request = build_request(events, "PutRule", inputs, ignore=("tags",))
    arn = events.put_rule(**request)["RuleArn"]
    if desired.get("tags"):
        events.tag_resource(ResourceARN=arn, Tags=tag_list(desired.get("tags")))
    return Applied(_rule_id(request), {"arn": arn, "name": request["Name"]})


def _rule_id(request: dict[str, Any]) -> str:
    bus = request.get("EventBusName", DEFAULT_BUS)
    return request["Name"] if bus == DEFAULT_BUS else f"{bus}/{request['Name']}"


def delete_rule(cloud: AwsClients, rule_id: str, _outputs: dict[str, Any]) -> None:
    bus, _, name = rule_id.rpartition("/")
    cloud.client("events").delete_rule(Name=name, EventBusName=bus or DEFAULT_BUS)


def put_target(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    events = cloud.client("events")
    target = {k: v for k, v in desired.inputs.items() if k not in ("rule", "eventBusName")}
    # Without a targetId the provider generates one; the logical name keeps re-deploys stable.
    target.setdefault("targetId", desired.name)
    request = {
        "Rule": desired.inputs["rule"],
        "EventBusName": desired.get("eventBusName", DEFAULT_BUS),
        "Targets": build_request(
            events, "PutTargets", {"targets": [target]}, renames=_TARGET_RENAMES
        )["Targets"],
    }
    failures = events.put_targets(**request).get("FailedEntries") or []
    if failures:
        raise RuntimeError(f"PutTargets refused the target: {failures[0]}")
    target_id = request["Targets"][0]["Id"]
    return Applied(f"{request['Rule']}-{target_id}", {"targetId": target_id})


def delete_target(cloud: AwsClients, _target: str, outputs: dict[str, Any]) -> None:
    cloud.client("events").remove_targets(
        Rule=outputs["rule"],
        EventBusName=outputs.get("eventBusName") or DEFAULT_BUS,
        Ids=[outputs["targetId"]],
    )


HANDLERS = {
    "aws:cloudwatch/eventRule:EventRule": put_style(
        put_rule, delete_rule, replace_on=frozenset({"name", "eventBusName"})
    ),
    "aws:cloudwatch/eventTarget:EventTarget": put_style(
        put_target, delete_target, replace_on=frozenset({"rule", "eventBusName", "targetId"})
    ),
}
