"""The sagestack policies as pulumi-policy objects: each wraps one pure rule from ``rules/``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from sagestack_infra.policy.rules import alarms, codebuild, iam, kubernetes, s3, sns, tags

PACK_NAME = "sagestack"
ENFORCEMENT = EnforcementLevel.MANDATORY

Check = Callable[[ResourceValidationArgs], Iterable[str]]


def _resource_policy(
    name: str, description: str, applies: Callable[[str], bool], check: Check
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if applies(args.resource_type):
            for problem in check(args):
                report_violation(problem, args.urn)

    return ResourceValidationPolicy(name, description, validate, ENFORCEMENT)


def _stack_policy(
    name: str,
    description: str,
    find: Callable[[list[Any]], Iterator[tuple[str, str]]],
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for urn, problem in find(args.resources):
            report_violation(problem, urn)

    return StackValidationPolicy(name, description, validate, ENFORCEMENT)


def _of(types: Collection[str]) -> Callable[[str], bool]:
    return types.__contains__


def _provider_props(args: ResourceValidationArgs) -> Mapping[str, Any]:
    return args.provider.props if args.provider is not None else {}


POLICIES: list[Policy] = [
    _resource_policy(
        "s3-no-public-access",
        "S3 buckets are never public: no public ACL, grant or bucket policy, and every public "
        "access block setting on.",
        _of(s3.PUBLIC_ACCESS_TYPES),
        lambda args: s3.public_access_problems(args.resource_type, args.props),
    ),
    _stack_policy(
        "s3-public-access-blocked",
        "Every S3 bucket has a public access block with all four settings true.",
        s3.unblocked_buckets,
    ),
    _stack_policy(
        "s3-encrypted",
        "Every S3 bucket has default server-side encryption.",
        s3.unencrypted_buckets,
    ),
    _resource_policy(
        "iam-no-wildcard-actions",
        "IAM policies, and resource policies on buckets, topics, keys, queues and repositories, "
        "never allow an action with a wildcard ('*', 's3:*', 's3:Get*') or NotAction.",
        _of(iam.IAM_POLICY_TYPES | iam.RESOURCE_POLICY_TYPES),
        lambda args: iam.wildcard_action_problems(args.resource_type, args.props),
    ),
    _resource_policy(
        "iam-wildcard-resources-allowlisted",
        "IAM policies allow Resource '*' only for actions AWS cannot scope to a resource "
        "(the allowlist in infra/policy/rules/wildcard_resources.py).",
        _of(iam.IAM_POLICY_TYPES),
        lambda args: iam.wildcard_resource_problems(args.resource_type, args.props),
    ),
    _resource_policy(
        "iam-trust-not-public",
        "No role's trust policy lets any AWS principal assume it (Principal '*' or NotPrincipal "
        "without a condition pinning the caller to fixed values).",
        _of({iam.ROLE}),
        lambda args: iam.public_trust_problems(args.props),
    ),
    _resource_policy(
        "required-tags",
        f"Every taggable AWS resource carries the tags {', '.join(tags.REQUIRED_TAGS)}.",
        lambda resource_type: resource_type.startswith("aws:"),
        lambda args: tags.missing_tag_problems(
            args.resource_type, args.props, _provider_props(args)
        ),
    ),
    _resource_policy(
        "alarm-has-action",
        "Every CloudWatch metric or composite alarm has at least one alarm action, and actions "
        "enabled.",
        _of(alarms.ALARM_TYPES),
        lambda args: alarms.silent_alarm_problems(args.props),
    ),
    _resource_policy(
        "codebuild-not-privileged",
        "CodeBuild projects never run in privileged mode.",
        _of({codebuild.PROJECT}),
        lambda args: codebuild.privileged_build_problems(args.props),
    ),
    _resource_policy(
        "sns-topic-encrypted",
        "SNS topics are encrypted with a KMS key.",
        _of({sns.TOPIC}),
        lambda args: sns.unencrypted_topic_problems(args.props),
    ),
    _resource_policy(
        "kubernetes-container-limits",
        "Every Kubernetes container declares cpu and memory limits.",
        kubernetes.is_workload,
        lambda args: kubernetes.missing_limit_problems(args.resource_type, args.props),
    ),
]
