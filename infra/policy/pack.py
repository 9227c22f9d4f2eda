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

from sagestack_infra.policy.rules import (
    alarms,
    codebuild,
    iam,
    kms,
    kubernetes,
    logs,
    s3,
    sagemaker,
    sns,
    ssm,
    tags,
    trust,
)
from sagestack_infra.policy.rules.waivers import is_waived

PACK_NAME = "sagestack"
ENFORCEMENT = EnforcementLevel.MANDATORY

Check = Callable[[ResourceValidationArgs], Iterable[str]]


def _resource_policy(
    name: str, description: str, applies: Callable[[str], bool], check: Check
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if applies(args.resource_type) and not is_waived(name, args.props):
            for problem in check(args):
                report_violation(problem, args.urn)

    return ResourceValidationPolicy(name, description, validate, ENFORCEMENT)


def _stack_policy(
    name: str,
    description: str,
    find: Callable[[list[Any]], Iterator[tuple[str, str]]],
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        props = {resource.urn: resource.props for resource in args.resources}
        for urn, problem in find(args.resources):
            if not is_waived(name, props.get(urn, {})):
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
    _stack_policy(
        "s3-sse-kms",
        "Every S3 bucket defaults to SSE-KMS (aws:kms), not SSE-S3.",
        s3.not_kms_encrypted_buckets,
    ),
    _stack_policy(
        "s3-tls-only",
        "Every S3 bucket's policy denies requests made without TLS (aws:SecureTransport false).",
        s3.tls_not_enforced_buckets,
    ),
    _resource_policy(
        "iam-cross-account-trust-conditioned",
        "A role that trusts another account requires an sts:ExternalId or an organization "
        "condition (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceOrgID).",
        _of({iam.ROLE}),
        lambda args: trust.cross_account_problems(args.props),
    ),
    _resource_policy(
        "iam-github-oidc-trust-sub",
        "A role that trusts GitHub's OIDC provider conditions token.actions.githubusercontent.com"
        ":sub on the repository.",
        _of({iam.ROLE}),
        lambda args: trust.github_oidc_problems(args.props),
    ),
    _resource_policy(
        "codebuild-project-encrypted",
        "CodeBuild projects encrypt their artifacts, cache and logs with a customer key.",
        _of({codebuild.PROJECT}),
        lambda args: codebuild.unencrypted_project_problems(args.props),
    ),
    _resource_policy(
        "kms-key-rotation",
        "Symmetric KMS keys rotate their key material.",
        _of({kms.KEY}),
        lambda args: kms.rotation_problems(args.props),
    ),
    _resource_policy(
        "log-group-retention",
        "CloudWatch Logs groups keep events for a set number of days, not forever.",
        _of({logs.LOG_GROUP}),
        lambda args: logs.retention_problems(args.props),
    ),
    _resource_policy(
        "log-group-encrypted",
        "CloudWatch Logs groups are encrypted with a KMS key.",
        _of({logs.LOG_GROUP}),
        lambda args: logs.encryption_problems(args.props),
    ),
    _resource_policy(
        "ssm-no-plaintext-secrets",
        "SSM String parameters whose name or value looks like a secret are refused: use "
        "SecureString.",
        _of({ssm.PARAMETER}),
        lambda args: ssm.plaintext_secret_problems(args.props),
    ),
    _resource_policy(
        "sagemaker-endpoint-config-kms",
        "SageMaker endpoint configs encrypt their instances' volumes with a KMS key.",
        _of({sagemaker.ENDPOINT_CONFIG}),
        lambda args: sagemaker.endpoint_config_key_problems(args.props),
    ),
    _resource_policy(
        "sagemaker-endpoint-config-data-capture",
        "SageMaker endpoint configs capture requests and responses, encrypted (drift needs them).",
        _of({sagemaker.ENDPOINT_CONFIG}),
        lambda args: sagemaker.endpoint_config_capture_problems(args.props),
    ),
    _resource_policy(
        "sagemaker-model-network-isolation",
        "SageMaker models run with network isolation, unless the project opts out (waiver).",
        _of({sagemaker.MODEL}),
        lambda args: sagemaker.model_network_isolation_problems(args.props),
    ),
    _resource_policy(
        "sagemaker-feature-group-encrypted",
        "SageMaker feature groups encrypt their online and offline stores with a KMS key.",
        _of({sagemaker.FEATURE_GROUP}),
        lambda args: sagemaker.feature_group_encryption_problems(args.props),
    ),
    _resource_policy(
        "sagemaker-notebook-locked-down",
        "SageMaker notebook instances have neither direct internet access nor root access.",
        _of({sagemaker.NOTEBOOK}),
        lambda args: sagemaker.notebook_problems(args.props),
    ),
    _resource_policy(
        "kubernetes-container-limits",
        "Every Kubernetes container declares cpu and memory limits.",
        kubernetes.is_workload,
        lambda args: kubernetes.missing_limit_problems(args.resource_type, args.props),
    ),
]
