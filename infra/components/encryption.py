"""The platform's customer-managed KMS key: rotation on, an alias, and a key policy that lets the
account manage it through IAM and lets AWS services use it only for the platform's own data: the
alarms and rules publishing to the on-call topic, CloudWatch Logs for the platform's log groups.

Each service statement is pinned by the encryption context the service sends: SNS encrypts a
topic's messages under ``aws:sns:topicArn``, CloudWatch Logs a group's events under
``aws:logs:arn``. That also holds for EventBridge, whose requests carry no ``aws:SourceAccount``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component

# What CloudWatch Logs does with a group's key (its documented key policy lists Encrypt*,
# Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*; spelled out, as no statement has a wildcard).
LOGS_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


@dataclass(frozen=True)
class EncryptionKeyArgs:
    alias: str
    """Alias name without the ``alias/`` prefix, e.g. the stack's name prefix."""
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    topic_arns: tuple[pulumi.Input[str], ...] = ()
    """Topics encrypted with the key that CloudWatch alarms and EventBridge rules publish to (the
    on-call topic). Default: none."""
    log_group_arns: tuple[pulumi.Input[str], ...] = ()
    """Log groups (ARNs, ``*`` allowed) CloudWatch Logs encrypts with the key. Default: none."""
    deletion_window_in_days: int = 30
    """Waiting period before a scheduled deletion takes effect (7-30); default the maximum."""
    description: str = field(default="sagestack platform key")


class EncryptionKey(Component):
    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:encryption:EncryptionKey", name, None, opts)
        self._args = args
        self.key = self._create_key(name)
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias}",
            target_key_id=self.key.key_id,
            opts=self._child(),
        )
        self.key_arn = self.key.arn
        self.key_id = self.key.key_id
        self.alias_name = self.alias.name
        self.register_outputs({"key_arn": self.key_arn, "alias_name": self.alias_name})

    def _create_key(self, name: str) -> aws.kms.Key:
        args = self._args
        return aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_in_days,
            policy=self._key_policy(),
            tags=args.tags,
            opts=self._child(),
        )

    def _key_policy(self) -> pulumi.Output[str]:
        args = self._args
        account_root = f"arn:aws:iam::{args.account_id}:root"
        statements = [
            {
                "Sid": "AccountManagesKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": list(iam.KMS_ACCOUNT_ACTIONS),
                # A key policy's "*" resource means this key and nothing else.
                "Resource": "*",
            }
        ]
        if args.topic_arns:
            statements += self._topic_statements()
        if args.log_group_arns:
            statements.append(self._logs_statement())
        return iam.policy_document(statements)

    def _topic_statements(self) -> list[dict]:
        """Alarms and rules may encrypt messages for the platform's topics, and nothing else."""
        args = self._args
        topics = {"kms:EncryptionContext:aws:sns:topicArn": list(args.topic_arns)}
        return [
            {
                "Sid": "AlarmsPublishToPlatformTopics",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": list(iam.KMS_SERVICE_PUBLISH_ACTIONS),
                "Resource": "*",  # a key policy's "*" is this key
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": args.account_id, **topics},
                },
            },
            {
                "Sid": "RulesPublishToPlatformTopics",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": list(iam.KMS_SERVICE_PUBLISH_ACTIONS),
                "Resource": "*",
                # EventBridge's requests carry no aws:SourceAccount: the topic pins them.
                "Condition": {"StringEquals": topics},
            },
        ]

    def _logs_statement(self) -> dict:
        args = self._args
        return {
            "Sid": "LogsEncryptsPlatformLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{args.region}.amazonaws.com"},
            "Action": list(LOGS_KEY_ACTIONS),
            "Resource": "*",
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": list(args.log_group_arns)}
            },
        }
