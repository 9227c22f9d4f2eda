"""moto's IAM and STS state, as the identity package uses it: roles, their policy documents,
and the sessions STS issues for them.

Policy *evaluation* is not moto's here (see :mod:`sagestack.localcloud.identity.policies`): moto's
``IAMPolicyStatement`` ignores most conditions, turns a statement whose condition fails into a
Deny, and knows neither ``NotResource``, ``NotPrincipal`` nor service principals. What moto keeps
well, and what this module reads, is the state: roles (``iam_backends``), the default version of
each attached managed policy, and the sessions of ``sts_backends`` whose access keys moto
registers with IAM (so ``GetCallerIdentity`` answers the assumed-role ARN).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

PARTITION = "aws"


def policy_permission(policy: str, action: str, resource: str) -> Any:
    """moto's verdict (``PermissionResult``) on ``action`` over ``resource`` for a resource
    policy document, as moto evaluates it (statement conditions are not evaluated)."""
    from moto.iam.access_control import IAMPolicy

    return IAMPolicy(policy).is_action_permitted(action, resource)


@dataclass(frozen=True)
class RoleRecord:
    """What evaluation needs of one IAM role, read from moto's model."""

    arn: str
    name: str
    role_id: str
    account_id: str
    trust_policy: str
    tags: dict[str, str]


def _iam(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id][PARTITION]


def _sts(account_id: str) -> Any:
    from moto.sts.models import sts_backends

    return sts_backends[account_id][PARTITION]


def account_of_role_arn(role_arn: str) -> str | None:
    """``123456789012`` of ``arn:aws:iam::123456789012:role/...``, or None for another shape."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[4] or None


def find_role(role_arn: str) -> RoleRecord | None:
    """The role named by ``role_arn`` (path included), or None when IAM has no such role."""
    from moto.iam.exceptions import NotFoundException

    account_id = account_of_role_arn(role_arn)
    if account_id is None:
        return None
    try:
        role = _iam(account_id).get_role_by_arn(role_arn)
    except NotFoundException:
        return None
    return _record(role)


def _record(role: Any) -> RoleRecord:
    tags = {tag["Key"]: tag["Value"] for tag in role.tags or []}  # moto keeps a list of pairs
    return RoleRecord(
        arn=role.arn,
        name=role.name,
        role_id=role.id,
        account_id=role.account_id,
        trust_policy=role.assume_role_policy_document,
        tags=tags,
    )


def role_policy_documents(role_arn: str) -> list[str]:
    """The JSON documents of the role's inline policies and of the default version of each
    managed policy attached to it (IAM evaluates exactly these for the role's sessions)."""
    from moto.iam.exceptions import NotFoundException

    account_id = account_of_role_arn(role_arn)
    if account_id is None:
        return []
    try:
        role = _iam(account_id).get_role_by_arn(role_arn)
    except NotFoundException:
        return []
    documents = list(role.policies.values())
    for managed in list(role.managed_policies.values()):
        default = next((v for v in managed.versions if v.is_default), None)
        if default is not None:
            documents.append(default.document)
    return documents


@dataclass(frozen=True)
class SessionRecord:
    """One session STS issued for a role."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime  # naive UTC, as moto keeps it
    role_arn: str
    session_name: str
    account_id: str
    arn: str  # arn:aws:sts::<account>:assumed-role/<role>/<session>
    user_id: str  # <role id>:<session>


def assume_role(
    role_arn: str, session_name: str, region: str, duration_seconds: int, expiration: datetime
) -> SessionRecord:
    """A new STS session for ``role_arn`` in moto's STS backend, expiring at ``expiration``
    (naive UTC: the local cloud's clock, not moto's, decides when a session ends)."""
    account_id = account_of_role_arn(role_arn) or DEFAULT_ACCOUNT_ID
    assumed = _sts(account_id).assume_role(
        region_name=region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy=None,
        duration=duration_seconds,
        external_id=None,
    )
    assumed.expiration = expiration
    return _session(assumed)


def find_session(access_key_id: str) -> SessionRecord | None:
    """The STS session whose access key is ``access_key_id``, in any account, or None."""
    from moto.iam.models import get_account_id_from

    account_id = get_account_id_from(access_key_id)
    assumed = _sts(account_id).get_assumed_role_from_access_key(access_key_id)
    return _session(assumed) if assumed is not None else None


def _session(assumed: Any) -> SessionRecord:
    return SessionRecord(
        access_key_id=assumed.access_key_id,
        secret_access_key=assumed.secret_access_key,
        session_token=assumed.session_token,
        expiration=assumed.expiration,
        role_arn=assumed.role_arn,
        session_name=assumed.session_name,
        account_id=assumed.account_id,
        arn=assumed.arn,
        user_id=assumed.user_id,
    )
