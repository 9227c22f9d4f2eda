"""The platform's customer-managed KMS key: rotation on, an alias, and a key policy that lets the
account manage it through IAM and lets only the named AWS services use it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component

# EventBridge's KMS requests for an encrypted target topic carry no aws:SourceAccount or
# aws:SourceArn (AWS documents it); a condition on them would drop every delivery silently.
SERVICES_WITHOUT_SOURCE_CONTEXT = frozenset({"events.amazonaws.com"})


@dataclass(frozen=True)
class EncryptionKeyArgs:
    alias: str
    """Alias name without the ``alias/`` prefix, e.g. the stack's name prefix."""
    account_id: pulumi.Input[str]
    tags: dict[str, str]
    service_principals: tuple[str, ...] = ()
    """AWS services that encrypt with the key on the account's behalf, e.g. CloudWatch alarms and
    EventBridge rules publishing to an encrypted SNS topic. Default: none."""
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
        account_root = pulumi.Output.concat("arn:aws:iam::", args.account_id, ":root")
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
        statements += [
            self._service_statement(service) for service in sorted(args.service_principals)
        ]
        return iam.policy_document(statements)

    def _service_statement(self, service: str) -> dict:
        """``service`` may encrypt with the key on this account's behalf."""
        statement = {
            "Sid": f"{service.split('.')[0].capitalize()}EncryptsForAccount",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": list(iam.KMS_SERVICE_PUBLISH_ACTIONS),
            "Resource": "*",  # a key policy's "*" is this key
        }
        if service not in SERVICES_WITHOUT_SOURCE_CONTEXT:
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": self._args.account_id}}
        return statement
