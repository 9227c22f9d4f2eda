"""AWS's policy evaluation logic for one permission of a role session: identity policies and the
resource's policy together (IAM User Guide, "Policy evaluation logic").

- an explicit Deny in either wins;
- same account: an Allow in the identity policies *or* one in the resource policy naming the
  role or session suffices; a resource policy that names only the account delegates to IAM;
- KMS keys are the exception: the key policy must allow, either naming the caller or
  delegating to IAM through the account principal, in which case IAM must allow too;
- another account's resource: both the identity policies and the resource policy must allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sagestack.localcloud.identity.actions import Authorization
from sagestack.localcloud.identity.conditions import Context
from sagestack.localcloud.identity.credentials import RoleSession
from sagestack.localcloud.identity.policies import (
    Principal,
    Request,
    Verdict,
    evaluate,
    identity_verdict,
)
from sagestack.localcloud.identity.resource_policies import ResourcePolicy, resource_policy

EXPLICIT_IDENTITY_DENY = "with an explicit deny in an identity-based policy"
EXPLICIT_RESOURCE_DENY = "with an explicit deny in a resource-based policy"


def no_identity_allow(action: str) -> str:
    return f"because no identity-based policy allows the {action} action"


def no_resource_allow(action: str) -> str:
    return f"because no resource-based policy allows the {action} action"


@dataclass(frozen=True)
class Denial:
    """Why a permission was refused: AWS's message tail (``because no identity-based ...``)."""

    action: str
    resource: str
    reason: str


def decide(
    session: RoleSession, role_documents: Sequence[str], needed: Authorization, context: Context
) -> Denial | None:
    """None when ``session`` may have ``needed``; else why not."""
    policy = resource_policy(needed.resource) if needed.resource != "*" else None
    owner = needed.resource_account or (policy.account_id if policy else None)
    request = Request(
        action=needed.action,
        resource=needed.resource,
        principal=Principal(arns=(session.arn, session.role_arn), account_id=session.account_id),
        context={
            **context,
            **needed.context,
            "aws:resourceaccount": [owner or session.account_id],
            "aws:viaawsservice": ["true" if "kms:viaservice" in needed.context else "false"],
        },
    )
    identity = identity_verdict(role_documents, request)
    resource = _resource_verdict(policy, request)
    reason = _reason(needed.action, identity, resource, policy, owner, session.account_id)
    return Denial(needed.action, needed.resource, reason) if reason else None


def _resource_verdict(policy: ResourcePolicy | None, request: Request) -> Verdict:
    if policy is None or not policy.document:
        return Verdict.NONE
    return evaluate(policy.document, request, resource_policy=True)


def _reason(
    action: str,
    identity: Verdict,
    resource: Verdict,
    policy: ResourcePolicy | None,
    owner: str | None,
    caller_account: str,
) -> str | None:
    if identity is Verdict.DENY:
        return EXPLICIT_IDENTITY_DENY
    if resource is Verdict.DENY:
        return EXPLICIT_RESOURCE_DENY
    identity_allows = identity is Verdict.ALLOW
    if policy is not None and policy.kind == "key":
        if resource is Verdict.ALLOW or (resource is Verdict.DELEGATED and identity_allows):
            return None
        return (
            no_identity_allow(action)
            if resource is Verdict.DELEGATED
            else no_resource_allow(action)
        )
    if owner is not None and owner != caller_account:
        if not identity_allows:
            return no_identity_allow(action)
        granted = resource in (Verdict.ALLOW, Verdict.DELEGATED)
        return None if granted else no_resource_allow(action)
    if identity_allows or resource is Verdict.ALLOW:
        return None
    return no_identity_allow(action)
