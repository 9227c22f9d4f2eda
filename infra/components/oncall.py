"""The on-call SNS topic (KMS-encrypted) with its email and PagerDuty (HTTPS) subscriptions and a
topic policy that lets only this account's alarms and rules publish."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.grants import Access, access


@dataclass(frozen=True)
class OnCallArgs:
    topic_name: str
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    emails: tuple[str, ...] = ()
    """Addresses subscribed by email (each confirms once); default none."""
    pagerduty_url: pulumi.Input[str] | None = None
    """PagerDuty's Events API integration URL; kept a Pulumi secret. Default: no PagerDuty."""
    publisher_name_prefix: str = ""
    """Only alarms and rules named with this prefix may publish; default: any in the account."""


class OnCall(Component):
    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: OnCallArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:monitoring:OnCall", name, None, opts)
        self._base = name
        self._args = args
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            kms_master_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=self._child(),
        )
        self.topic_arn = self.topic.arn
        self._create_topic_policy()
        self._create_subscriptions()
        self.register_outputs({"topic_arn": self.topic_arn})

    def _create_subscriptions(self) -> None:
        for index, email in enumerate(self._args.emails):
            aws.sns.TopicSubscription(
                f"{self._base}-email-{index}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                opts=self._child(),
            )
        if self._args.pagerduty_url is not None:
            aws.sns.TopicSubscription(
                f"{self._base}-pagerduty",
                topic=self.topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(self._args.pagerduty_url),
                endpoint_auto_confirms=True,  # PagerDuty confirms SNS subscriptions itself
                opts=self._child(),
            )

    def _create_topic_policy(self) -> None:
        args = self._args
        prefix = args.publisher_name_prefix
        alarms = iam.arn("cloudwatch", args.region, args.account_id, f"alarm:{prefix}*")
        rules = iam.arn("events", args.region, args.account_id, f"rule/{prefix}*")
        statements = [
            {
                "Sid": "OwnerManagesTopic",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{args.account_id}:root"},
                "Action": list(iam.SNS_OWNER_ACTIONS),
                "Resource": self.topic.arn,
            },
            self._service_publish("AlarmsPublish", "cloudwatch.amazonaws.com", alarms),
            self._service_publish("RulesPublish", "events.amazonaws.com", rules),
        ]
        aws.sns.TopicPolicy(
            f"{self._base}-policy",
            arn=self.topic.arn,
            policy=iam.policy_document(statements),
            opts=self._child(),
        )

    def _service_publish(self, sid: str, service: str, source_arn) -> dict:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": list(iam.SNS_PUBLISH_ACTIONS),
            "Resource": self.topic.arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": self._args.account_id},
                "ArnLike": {"aws:SourceArn": source_arn},
            },
        }

    def publish_access(self) -> Access:
        """Publish to the topic (and encrypt with its key)."""
        return access(
            iam.allow(iam.SNS_PUBLISH_ACTIONS, [self.topic.arn]),
            kms_key_arn=self._args.kms_key_arn,
            kms_actions=iam.KMS_SERVICE_PUBLISH_ACTIONS,
        )
