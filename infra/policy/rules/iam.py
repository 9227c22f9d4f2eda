"""Least privilege for IAM: no wildcard actions, ``*`` resources only for allowlisted actions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sagestack_infra.policy.rules.iam_documents import (
    PolicyDocumentError,
    Statement,
    condition_keys,
    is_wildcard_action,
    is_wildcard_resource,
    parse_document,
    reaches_anyone,
)
from sagestack_infra.policy.rules.props import as_list, as_mapping
from sagestack_infra.policy.rules.wildcard_resources import WILDCARD_RESOURCE_ACTIONS

# Resources holding one identity policy in their ``policy`` input.
_POLICY_INPUT_TYPES = frozenset(
    {
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
    }
)
ROLE = "aws:iam/role:Role"
# Resources attaching managed policies by ARN: the input holding one ARN, or a list of them.
_ATTACHMENT_INPUTS = {
    ROLE: "managedPolicyArns",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
}
# AWS managed policies whose documents allow whole services ("sagemaker:*", "*"): attaching
# one grants the wildcard as surely as writing it.
_BROAD_MANAGED_POLICY = re.compile(
    r"^arn:aws[a-z-]*:iam::aws:policy/(?:.+/)?"
    r"(?:AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess[A-Za-z0-9_]*)$"
)
IAM_POLICY_TYPES = _POLICY_INPUT_TYPES | set(_ATTACHMENT_INPUTS)
# Resource-based policies in a ``policy`` input: their Allow statements grant actions too, so
# they get the wildcard-action rule. Not the wildcard-resource one: a key policy's "*" is the key.
RESOURCE_POLICY_TYPES = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:kms/key:Key",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
    }
)


def identity_documents(resource_type: str, props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, document) for each permissions policy the resource grants."""
    if resource_type in _POLICY_INPUT_TYPES and props.get("policy") is not None:
        yield "policy", props["policy"]
    if resource_type == ROLE:
        for inline in as_list(props.get("inlinePolicies")):
            inline = as_mapping(inline)
            if inline.get("policy") is not None:
                yield f"inline policy {inline.get('name')!r}", inline["policy"]


def _all_documents(resource_type: str, props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from identity_documents(resource_type, props)
    if resource_type in RESOURCE_POLICY_TYPES and props.get("policy") is not None:
        yield "resource policy", props["policy"]
    if resource_type == ROLE and props.get("assumeRolePolicy") is not None:
        yield "assume-role policy", props["assumeRolePolicy"]


def _statements(
    documents: Iterator[tuple[str, Any]], unparseable: list[str] | None = None
) -> Iterator[tuple[str, Statement]]:
    """(where, statement) across ``documents``; a document that does not parse is noted in
    ``unparseable`` (when given) and skipped."""
    for where, document in documents:
        try:
            statements = parse_document(document)
        except PolicyDocumentError as error:
            if unparseable is not None:
                unparseable.append(f"{where}: {error}")
            continue
        for statement in statements:
            yield where, statement


def wildcard_action_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Allow statements granting ``*``, ``service:*`` or everything but a ``NotAction`` list."""
    problems: list[str] = []
    for where, statement in _statements(_all_documents(resource_type, props), problems):
        problems.extend(_wildcard_actions(where, statement))
    problems.extend(
        f"attaches {arn!r}, an AWS managed policy that allows whole services: grant the "
        "actions by name in the platform's own policies"
        for arn in _attached_policy_arns(resource_type, props)
        if _BROAD_MANAGED_POLICY.match(arn)
    )
    return problems


def _attached_policy_arns(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    key = _ATTACHMENT_INPUTS.get(resource_type)
    return [str(arn) for arn in as_list(props.get(key))] if key else []


def _wildcard_actions(where: str, statement: Statement) -> Iterator[str]:
    if not statement.allows:
        return
    for action in statement.actions:
        if is_wildcard_action(action):
            yield (
                f"{where} {statement.label} allows action {action!r}: "
                "grant the operations the role needs by name"
            )
    if statement.not_actions:
        yield (
            f"{where} {statement.label} allows every action except NotAction "
            f"{list(statement.not_actions)}: list the allowed actions instead"
        )


def wildcard_resource_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Allow statements on every resource whose actions are not all on the allowlist.
    (A document that does not parse is the wildcard-action rule's to report.)"""
    problems: list[str] = []
    for where, statement in _statements(identity_documents(resource_type, props)):
        problems.extend(_wildcard_resources(where, statement))
    return problems


def _wildcard_resources(where: str, statement: Statement) -> Iterator[str]:
    if not statement.allows:
        return
    if statement.not_resources:
        yield (
            f"{where} {statement.label} allows every resource except NotResource "
            f"{list(statement.not_resources)}: name the resources instead"
        )
        return
    wildcards = [resource for resource in statement.resources if is_wildcard_resource(resource)]
    if not wildcards:
        return
    for action in statement.actions:
        grant = WILDCARD_RESOURCE_ACTIONS.get(action.lower())
        if grant is None:
            yield (
                f"{where} {statement.label} allows {action!r} on {wildcards[0]!r}: scope it to "
                "resource ARNs (only actions AWS cannot scope may use '*', see "
                "infra/policy/rules/wildcard_resources.py)"
            )
        elif grant.required_condition_key and (
            grant.required_condition_key.lower() not in condition_keys(statement)
        ):
            yield (
                f"{where} {statement.label} allows {action!r} on {wildcards[0]!r} without a "
                f"{grant.required_condition_key!r} condition"
            )


def public_trust_problems(props: Mapping[str, Any]) -> list[str]:
    """Trust-policy statements that let any AWS principal assume the role."""
    trust = props.get("assumeRolePolicy")
    documents = iter([("assume-role policy", trust)] if trust is not None else [])
    return [
        f"{where} {statement.label} lets {open_to} assume the role: name the service or "
        "account principals that may (a document that does not parse is reported by "
        "iam-no-wildcard-actions)"
        for where, statement in _statements(documents)
        if (open_to := reaches_anyone(statement))
    ]
