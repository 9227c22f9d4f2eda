"""SNS: topics, their access policy, subscriptions."""

from __future__ import annotations

import json
from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.errors import InputError
from sagestack.deploy.handlers.base import (
    Applied,
    Checkpoint,
    Desired,
    Handler,
    put_style,
)
from sagestack.deploy.requests import tag_list

# Pulumi's topic inputs that are topic attributes in AWS, by attribute name.
_TOPIC_ATTRIBUTES = {
    "kmsMasterKeyId": "KmsMasterKeyId",
    "displayName": "DisplayName",
    "policy": "Policy",
    "deliveryPolicy": "DeliveryPolicy",
    "fifoTopic": "FifoTopic",
    "contentBasedDeduplication": "ContentBasedDeduplication",
    "signatureVersion": "SignatureVersion",
    "tracingConfig": "TracingConfig",
}
_TOPIC_KEYS = {"name", "tags", *_TOPIC_ATTRIBUTES}


def _attributes(desired: Desired) -> dict[str, str]:
    unknown = sorted(set(desired.inputs) - _TOPIC_KEYS)
    if unknown:
        raise InputError(f"topic input(s) {unknown} have no counterpart in SNS's CreateTopic")
    return {
        attribute: _attribute_value(desired.inputs[key])
        for key, attribute in _TOPIC_ATTRIBUTES.items()
        if desired.inputs.get(key) is not None
    }


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def create_topic(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    name = desired.physical_name()
    arn = cloud.client("sns").create_topic(
        Name=name, Attributes=_attributes(desired), Tags=tag_list(desired.get("tags"))
    )["TopicArn"]
    return Applied(arn, {"arn": arn, "name": name, "owner": cloud.account_id})


def update_topic(cloud: AwsClients, arn: str, desired: Desired) -> Applied:
    sns = cloud.client("sns")
    for attribute, value in _attributes(desired).items():
        sns.set_topic_attributes(TopicArn=arn, AttributeName=attribute, AttributeValue=value)
    if desired.get("tags"):
        sns.tag_resource(ResourceArn=arn, Tags=tag_list(desired.get("tags")))
    return Applied(arn, {"arn": arn, "name": desired.physical_name(), "owner": cloud.account_id})


def delete_topic(cloud: AwsClients, arn: str, _outputs: dict[str, Any]) -> None:
    cloud.client("sns").delete_topic(TopicArn=arn)


def set_topic_policy(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    arn = desired.inputs["arn"]
    cloud.client("sns").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=desired.inputs["policy"]
    )
    return Applied(arn, {"owner": cloud.account_id})


def reset_topic_policy(cloud: AwsClients, arn: str, _outputs: dict[str, Any]) -> None:
    # A topic always has a policy: removing ours restores the one SNS gives every new topic.
    cloud.client("sns").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(_default_policy(cloud, arn))
    )


def _default_policy(cloud: AwsClients, arn: str) -> dict[str, Any]:
    actions = [
        "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
        "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic", "SNS:Publish",
    ]  # fmt: skip
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": actions,
                "Resource": arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": cloud.account_id}},
            }
        ],
    }


def subscribe(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    attributes = {}
    if desired.get("filterPolicy"):
        attributes["FilterPolicy"] = desired.inputs["filterPolicy"]
    if desired.get("rawMessageDelivery") is not None:
        attributes["RawMessageDelivery"] = _attribute_value(desired.inputs["rawMessageDelivery"])
    arn = cloud.client("sns").subscribe(
        TopicArn=desired.inputs["topic"],
        Protocol=desired.inputs["protocol"],
        Endpoint=desired.inputs["endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return Applied(arn, {"arn": arn, "ownerId": cloud.account_id})


def unsubscribe(cloud: AwsClients, arn: str, _outputs: dict[str, Any]) -> None:
    cloud.client("sns").unsubscribe(SubscriptionArn=arn)


HANDLERS = {
    "aws:sns/topic:Topic": Handler(
        create=create_topic,
        delete=delete_topic,
        update=update_topic,
        replace_on=frozenset({"name", "fifoTopic"}),
    ),
    "aws:sns/topicPolicy:TopicPolicy": put_style(
        set_topic_policy, reset_topic_policy, replace_on=frozenset({"arn"})
    ),
    # Every subscription setting the program uses identifies the subscription: changes replace it.
    "aws:sns/topicSubscription:TopicSubscription": Handler(create=subscribe, delete=unsubscribe),
}
