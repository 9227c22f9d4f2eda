"""CloudWatch Logs: log groups, with their retention and KMS key."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request

# The provider's own settings: retention is a second call; skipDestroy applies when deleting.
_PROVIDER_SETTINGS = ("retentionInDays", "skipDestroy", "namePrefix")


def _outputs(cloud: AwsClients, name: str) -> dict[str, Any]:
    return {"arn": cloud.arn("logs", f"log-group:{name}"), "name": name}


def create_log_group(cloud: AwsClients, desired: Desired, checkpoint: Checkpoint) -> Applied:
    logs = cloud.client("logs")
    name = desired.physical_name()
    inputs = {**desired.inputs, "name": name}
    request = build_request(
        logs,
        "CreateLogGroup",
        inputs,
        renames={"name": "logGroupName"},
        ignore=_PROVIDER_SETTINGS,
    )
    logs.create_log_group(**request)
    checkpoint(name)
    _put_retention(cloud, name, desired)
    return Applied(name, _outputs(cloud, name))


def update_log_group(cloud: AwsClients, name: str, desired: Desired) -> Applied:
    logs = cloud.client("logs")
    if desired.get("kmsKeyId"):
        logs.associate_kms_key(logGroupName=name, kmsKeyId=desired.inputs["kmsKeyId"])
    else:
        logs.disassociate_kms_key(logGroupName=name)
    if desired.get("tags"):
        logs.tag_resource(resourceArn=_outputs(cloud, name)["arn"], tags=desired.inputs["tags"])
    _put_retention(cloud, name, desired)
    return Applied(name, _outputs(cloud, name))


def _put_retention(cloud: AwsClients, name: str, desired: Desired) -> None:
    logs = cloud.client("logs")
    days = desired.get("retentionInDays")
    if days:
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(days))
    else:
        logs.delete_retention_policy(logGroupName=name)


def delete_log_group(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("logs").delete_log_group(logGroupName=name)


HANDLERS = {
    "aws:cloudwatch/logGroup:LogGroup": Handler(
        create=create_log_group,
        delete=delete_log_group,
        update=update_log_group,
        replace_on=frozenset({"name", "logGroupClass"}),
    ),
}
