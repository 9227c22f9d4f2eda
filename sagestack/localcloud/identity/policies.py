"""One policy document's verdict on one request: Allow, Deny, or nothing said.

Replaces moto's ``IAMPolicy``/``IAMPolicyStatement`` evaluation (``moto.iam.access_control``),
which falls short here in ways that change verdicts:

- a statement whose condition fails is a Deny in moto; in IAM it simply does not apply;
- conditions other than ``StringEquals`` are ignored (see :mod:`.conditions`);
- ``NotResource`` and ``NotPrincipal`` are unknown, and so are service and account principals;
- actions compare case-sensitively and ``?`` is no wildcard; regex characters are not escaped.

Principals. A resource policy's statement names who it is for. The caller here is a role session
(or, for a trust policy, an AWS service); it matches ``"*"``, its session ARN, its role's ARN, and
its account (``"123456789012"`` or ``arn:aws:iam::123456789012:root``). A match by account alone
is *delegation* to the account's IAM policies: it grants nothing by itself (AWS's rule for
same-account access), but a Deny so addressed applies. :class:`Verdict` keeps that difference.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sagestack.localcloud.identity.conditions import (
    Context,
    UnknownOperatorError,
    conditions_hold,
    substitute,
    wildcard_match,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a role session (``arns``: session ARN, role ARN) or a service."""

    arns: tuple[str, ...] = ()
    account_id: str | None = None
    service: str | None = None  # "codebuild.amazonaws.com" when a service assumes a role


@dataclass(frozen=True)
class Request:
    action: str  # "s3:GetObject"
    resource: str  # an ARN, or "*"
    principal: Principal = field(default_factory=Principal)
    context: Context = field(default_factory=dict)


class Verdict(Enum):
    DENY = "deny"
    ALLOW = "allow"  # an Allow that grants by itself
    DELEGATED = "delegated"  # an Allow addressed to the caller's account: IAM must allow too
    NONE = "none"


def load(document: str | Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The statements of a policy document (a JSON string or a parsed one)."""
    if isinstance(document, str):
        return _parsed(document)
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


@functools.lru_cache(maxsize=1024)
def _parsed(document: str) -> list[Mapping[str, Any]]:
    # inline policies come back URL-encoded from some clients; IAM stores the JSON
    text = document if document.lstrip().startswith("{") else urllib.parse.unquote(document)
    return load(json.loads(text))


def evaluate(
    document: str | Mapping[str, Any], request: Request, *, resource_policy: bool = False
) -> Verdict:
    """The document's verdict. ``resource_policy``: statements carry a Principal to match."""
    verdicts = {_statement_verdict(s, request, resource_policy) for s in load(document)}
    for verdict in (Verdict.DENY, Verdict.ALLOW, Verdict.DELEGATED):
        if verdict in verdicts:
            return verdict
    return Verdict.NONE


def _statement_verdict(
    statement: Mapping[str, Any], request: Request, resource_policy: bool
) -> Verdict:
    if not _element_matches(statement, "Action", request.action, _action_matches):
        return Verdict.NONE
    if ("Resource" in statement or "NotResource" in statement) and not _element_matches(
        statement, "Resource", request.resource, _resource_matcher(request.context)
    ):
        return Verdict.NONE
    is_deny = statement.get("Effect") == "Deny"
    principal_match = _principal_match(statement, request.principal) if resource_policy else "exact"
    if principal_match is None:
        return Verdict.NONE
    try:
        holds = conditions_hold(statement.get("Condition"), request.context)
    except UnknownOperatorError as error:
        # IAM refuses such a policy when it is put; moto stores it. Err towards refusing.
        log.warning("%s; the statement is read as %s", error, "applying" if is_deny else "not")
        holds = is_deny
    if not holds:
        return Verdict.NONE
    if is_deny:
        return Verdict.DENY
    return Verdict.ALLOW if principal_match == "exact" else Verdict.DELEGATED


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _element_matches(statement: Mapping[str, Any], name: str, value: str, matches) -> bool:
    """``Action``/``Resource`` match any of their patterns; ``NotAction``/``NotResource``
    match when none of theirs does."""
    if name in statement:
        return any(matches(pattern, value) for pattern in _as_list(statement[name]))
    if f"Not{name}" in statement:
        return not any(matches(pattern, value) for pattern in _as_list(statement[f"Not{name}"]))
    return False


def _action_matches(pattern: str, action: str) -> bool:
    return wildcard_match(pattern, action, ignore_case=True)  # IAM actions ignore case


def _resource_matcher(context: Context):
    def matches(pattern: str, resource: str) -> bool:
        concrete = substitute(pattern, context)
        return concrete is not None and wildcard_match(concrete, resource)

    return matches


def _principal_match(statement: Mapping[str, Any], principal: Principal) -> str | None:
    """``"exact"``, ``"account"`` (delegation to the account's IAM), or None (not for it)."""
    if "Principal" in statement:
        return _principal_block_match(statement["Principal"], principal)
    if "NotPrincipal" in statement:
        named = _principal_block_match(statement["NotPrincipal"], principal)
        return "exact" if named is None else None
    return None


def _principal_block_match(block: Any, principal: Principal) -> str | None:
    if block == "*":
        return "exact"
    if not isinstance(block, Mapping):
        return None
    best = None
    for kind, values in block.items():
        for value in _as_list(values):
            match = _one_principal_match(kind, str(value), principal)
            if match == "exact":
                return match
            best = best or match
    return best


def _one_principal_match(kind: str, value: str, principal: Principal) -> str | None:
    if kind == "Service":
        return "exact" if principal.service is not None and value == principal.service else None
    if kind != "AWS" or principal.service is not None:
        return None  # Federated and CanonicalUser principals are never a role session
    if value == "*" or value in principal.arns:
        return "exact"
    if principal.account_id and value in (
        principal.account_id,
        f"arn:aws:iam::{principal.account_id}:root",
    ):
        return "account"
    return None


def identity_verdict(documents: Sequence[str], request: Request) -> Verdict:
    """The combined verdict of a role's identity policies (each document's, Deny first)."""
    verdicts = {evaluate(document, request) for document in documents}
    if Verdict.DENY in verdicts:
        return Verdict.DENY
    return Verdict.ALLOW if Verdict.ALLOW in verdicts else Verdict.NONE
