"""KMS: customer managed keys and their aliases."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import Applied, Checkpoint, Desired, Handler
from sagestack.deploy.requests import build_request, tag_list

# The provider's own settings: rotation is a second call, the window applies when deleting.
_KEY_PROVIDER_SETTINGS = (
    "enableKeyRotation",
    "deletionWindowInDays",
    "rotationPeriodInDays",
    "tags",
)
DEFAULT_DELETION_WINDOW_DAYS = 30


def create_key(cloud: AwsClients, desired: Desired, checkpoint: Checkpoint) -> Applied:
    kms = cloud.client("kms")
    request = build_request(
        kms,
        "CreateKey",
        desired.inputs,
        renames={"customerMasterKeySpec": "KeySpec"},
        ignore=_KEY_PROVIDER_SETTINGS,
    )
    tags = tag_list(desired.get("tags"), key="TagKey", value="TagValue")
    metadata = kms.create_key(**request, Tags=tags)["KeyMetadata"]
    checkpoint(metadata["KeyId"])
    _set_rotation(cloud, metadata["KeyId"], desired)
    return Applied(metadata["KeyId"], {"arn": metadata["Arn"], "keyId": metadata["KeyId"]})


def update_key(cloud: AwsClients, key_id: str, desired: Desired) -> Applied:
    kms = cloud.client("kms")
    if desired.get("policy"):
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=desired.inputs["policy"])
    kms.update_key_description(KeyId=key_id, Description=desired.get("description", ""))
    _set_rotation(cloud, key_id, desired)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    return Applied(key_id, {"arn": metadata["Arn"], "keyId": key_id})


def _set_rotation(cloud: AwsClients, key_id: str, desired: Desired) -> None:
    kms = cloud.client("kms")
    if desired.get("enableKeyRotation", False):
        kms.enable_key_rotation(KeyId=key_id)
    else:
        kms.disable_key_rotation(KeyId=key_id)


def delete_key(cloud: AwsClients, key_id: str, outputs: dict[str, Any]) -> None:
    # Keys are never deleted at once: AWS schedules them, as the provider does on destroy.
    window = int(outputs.get("deletionWindowInDays") or DEFAULT_DELETION_WINDOW_DAYS)
    cloud.client("kms").schedule_key_deletion(KeyId=key_id, PendingWindowInDays=window)


def create_alias(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    kms = cloud.client("kms")
    request = build_request(kms, "CreateAlias", desired.inputs, renames={"name": "AliasName"})
    kms.create_alias(**request)
    return Applied(request["AliasName"], _alias_outputs(cloud, request["AliasName"]))


def update_alias(cloud: AwsClients, alias: str, desired: Desired) -> Applied:
    cloud.client("kms").update_alias(AliasName=alias, TargetKeyId=desired.inputs["targetKeyId"])
    return Applied(alias, _alias_outputs(cloud, alias))


def _alias_outputs(cloud: AwsClients, alias: str) -> dict[str, Any]:
    target = cloud.client("kms").describe_key(KeyId=alias)["KeyMetadata"]
    return {"arn": cloud.arn("kms", alias), "targetKeyArn": target["Arn"]}


def delete_alias(cloud: AwsClients, alias: str, _outputs: dict[str, Any]) -> None:
    cloud.client("kms").delete_alias(AliasName=alias)


HANDLERS = {
    "aws:kms/key:Key": Handler(
        create=create_key,
        delete=delete_key,
        update=update_key,
        replace_on=frozenset({"keyUsage", "customerMasterKeySpec", "multiRegion"}),
    ),
    "aws:kms/alias:Alias": Handler(
        create=create_alias,
        delete=delete_alias,
        update=update_alias,
        replace_on=frozenset({"name"}),
    ),
}
