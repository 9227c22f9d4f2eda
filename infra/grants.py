"""Roles and the one policy each: grants accumulate into it, as aws-cdk's ``grant*`` methods fill a
role's default policy.

A data owner (bucket, registry, feature store, topic) describes what reading or writing it takes
as an :class:`Access` value; a :class:`ServiceRole` collects every access granted to it and
:meth:`ServiceRole.attach` registers them as one inline policy, statements with the same actions
and conditions merged. One policy per role means one document to review per role and fewer
resources; a resource that needs the permissions in place (a CodeBuild project, an EventBridge
target) depends on that policy. A grant after the policy is attached is refused: it would
silently never reach AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.iam import Statement


@dataclass(frozen=True)
class Access:
    """What a role needs to use some data: statements, and the KMS actions on the data's key."""

    statements: tuple[Statement, ...]
    kms_key_arn: pulumi.Input[str] | None = None
    kms_actions: tuple[str, ...] = iam.KMS_DECRYPT_ACTIONS

    def all_statements(self) -> list[Statement]:
        statements = list(self.statements)
        if self.kms_key_arn is not None:
            statements.append(iam.allow(self.kms_actions, [self.kms_key_arn]))
        return statements


def access(*statements: Statement, kms_key_arn=None, kms_actions=iam.KMS_DECRYPT_ACTIONS) -> Access:
    return Access(tuple(statements), kms_key_arn, tuple(kms_actions))


def s3_read_access(uris: Sequence[str], kms_key_arns: Sequence[str] = ()) -> Access:
    """List and read objects under each ``s3://<bucket>/<prefix>/`` (data the platform does not
    own), and decrypt with the keys it is encrypted with."""
    statements: list[Statement] = []
    for uri in uris:
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        statements += [
            iam.allow(
                iam.S3_LIST_ACTIONS,
                [f"arn:aws:s3:::{bucket}"],
                {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
            ),
            iam.allow(iam.S3_READ_ACTIONS, [f"arn:aws:s3:::{bucket}/{prefix}*"]),
        ]
    if kms_key_arns:
        statements.append(iam.allow(iam.KMS_DECRYPT_ACTIONS, list(kms_key_arns)))
    return Access(tuple(statements))


class PolicyAlreadyAttachedError(RuntimeError):
    """A grant came after the role's policy was registered."""


SAGEMAKER = "sagemaker.amazonaws.com"


class RoleArgs(Protocol):
    """What a component's args say about its role."""

    role_name: str
    tags: dict[str, str]
    account_id: pulumi.Input[str]


class ServiceRole:
    """A role that one AWS service may assume, and the one inline policy granted to it.

    The trust policy pins the caller to this account (``aws:SourceAccount``) and, where the
    service sets it, to the resource acting (``aws:SourceArn``), against the confused deputy
    (another account's resource getting the service to act with this role). SageMaker sets no
    consistent SourceArn across the jobs, pipelines and endpoints one role serves, so SageMaker
    roles are pinned by account; CodeBuild sets its project's ARN, EventBridge its rule's.
    """

    def __init__(
        self,
        logical: str,
        name: str,
        *,
        service: str,
        tags: dict[str, str],
        parent: pulumi.Resource | None,
        source_account: pulumi.Input[str],
        source_arn: pulumi.Input[str] | None = None,
    ):
        self.logical = logical
        self._parent = parent
        self.role = aws.iam.Role(
            logical,
            name=name,
            assume_role_policy=trust_policy(service, source_account, source_arn),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        self.arn: pulumi.Output[str] = self.role.arn
        self._statements: list[Statement] = []
        self._policy: aws.iam.RolePolicy | None = None

    @classmethod
    def for_sagemaker(cls, parent: pulumi.Resource, logical: str, args: RoleArgs) -> ServiceRole:
        """A role SageMaker's jobs, pipelines and endpoints run as, pinned by account."""
        return cls(
            logical,
            args.role_name,
            service=SAGEMAKER,
            tags=args.tags,
            parent=parent,
            source_account=args.account_id,
        )

    def grant(self, *accesses: Access) -> None:
        if self._policy is not None:
            raise PolicyAlreadyAttachedError(
                f"role {self.logical}: its policy is already attached; grant before attach()"
            )
        for granted in accesses:
            self._statements += granted.all_statements()

    def allow(self, *statements: Statement) -> None:
        """Grant ``statements`` that touch no encrypted data."""
        self.grant(Access(tuple(statements)))

    def attach(self) -> aws.iam.RolePolicy:
        """Register the role's one policy with every grant so far (once; later calls return it)."""
        if self._policy is None:
            if not self._statements:
                raise ValueError(f"role {self.logical} has been granted nothing to attach")
            self._policy = aws.iam.RolePolicy(
                f"{self.logical}-policy",
                role=self.role.id,
                policy=iam.policy_document(merge_statements(self._statements)),
                opts=pulumi.ResourceOptions(parent=self._parent),
            )
        return self._policy


def trust_policy(
    service: str,
    source_account: pulumi.Input[str] | None = None,
    source_arn: pulumi.Input[str] | None = None,
) -> pulumi.Output[str]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if source_account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return iam.policy_document([statement])


# --- merging -------------------------------------------------------------------------------------


def merge_statements(statements: Sequence[Statement]) -> list[Statement]:
    """Statements with the same actions and condition become one (resources joined), then
    statements with the same resources and condition become one (actions joined). Grants never
    widen: a merged statement allows exactly the (action, resource) pairs its parts did."""
    by_actions = _merged(statements, _actions_key, _join_resources)
    return _merged(by_actions, _resources_key, _join_actions)


def _merged(statements, key, join) -> list[Statement]:
    merged: dict[Any, Statement] = {}
    for statement in statements:
        k = key(statement)
        merged[k] = join(merged[k], statement) if k in merged else dict(statement)
    return list(merged.values())


def _actions_key(statement: Statement) -> tuple:
    return (tuple(statement["Action"]), _condition_key(statement))


def _resources_key(statement: Statement) -> tuple:
    return (tuple(_identity(r) for r in statement["Resource"]), _condition_key(statement))


def _join_resources(first: Statement, second: Statement) -> Statement:
    seen = {_identity(r) for r in first["Resource"]}
    extra = [r for r in second["Resource"] if _identity(r) not in seen]
    return {**first, "Resource": [*first["Resource"], *extra]}


def _join_actions(first: Statement, second: Statement) -> Statement:
    return {**first, "Action": sorted(set(first["Action"]) | set(second["Action"]))}


def _condition_key(statement: Statement) -> str:
    return json.dumps(statement.get("Condition", {}), sort_keys=True, default=_identity)


def _identity(value: Any) -> Any:
    """A plain value stands for itself; an Output (unknown until deploy) for the object."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping | list):
        return json.dumps(value, sort_keys=True, default=_identity)
    return f"<{type(value).__name__} {id(value)}>"
