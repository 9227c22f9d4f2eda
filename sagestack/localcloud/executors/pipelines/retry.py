"""A step's ``RetryPolicies``: which failures run the step again, how often, after how long.

A policy names exception types (``Step.SERVICE_FAULT``, ``Step.THROTTLING``,
``SageMaker.JOB_INTERNAL_ERROR``, ``SageMaker.CAPACITY_ERROR``, ``SageMaker.RESOURCE_LIMIT``),
waits ``IntervalSeconds`` (default 1) times ``BackoffRate`` (default 2.0) to the power of the
retries so far, and stops after ``MaxAttempts`` attempts or ``ExpireAfterMin`` minutes. A
failure no policy names ends the step at once; SageMaker's wording says so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SERVICE_FAULT = "Step.SERVICE_FAULT"
THROTTLING = "Step.THROTTLING"
JOB_INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"


@dataclass(frozen=True)
class Policy:
    exception_types: frozenset[str]
    interval_seconds: float
    backoff_rate: float
    max_attempts: int | None
    expire_after_minutes: float | None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Policy:
        return cls(
            exception_types=frozenset(body.get("ExceptionType") or ()),
            interval_seconds=float(body.get("IntervalSeconds", 1)),
            backoff_rate=float(body.get("BackoffRate", 2.0)),
            max_attempts=body.get("MaxAttempts"),
            expire_after_minutes=body.get("ExpireAfterMin"),
        )


class Retries:
    """The retry decisions for one step of one execution."""

    def __init__(self, policies: Sequence[dict[str, Any]] | None):
        self.policies = [Policy.parse(body) for body in policies or []]
        self.started = time.monotonic()
        self.retried: dict[Policy, int] = {}

    def policy_for(self, exception_type: str | None) -> Policy | None:
        if exception_type is None:
            return None
        return next((p for p in self.policies if exception_type in p.exception_types), None)

    def wait_before_retry(self, exception_type: str | None) -> float | None:
        """Seconds to wait before the next attempt; None when the step must fail now."""
        policy = self.policy_for(exception_type)
        if policy is None:
            return None
        retried = self.retried.get(policy, 0)
        if policy.max_attempts is not None and retried + 1 >= policy.max_attempts:
            return None
        wait = policy.interval_seconds * policy.backoff_rate**retried
        if policy.expire_after_minutes is not None:
            deadline = self.started + policy.expire_after_minutes * 60
            if time.monotonic() + wait > deadline:
                return None
        self.retried[policy] = retried + 1
        return wait


def not_retried(reason: str, execution_arn: str, step_name: str, exception_type: str) -> str:
    """SageMaker's FailureReason for a step whose failure no retry policy covers."""
    short = exception_type.split(".", 1)[-1]
    prefix = "SAGEMAKER_" if exception_type.startswith("SageMaker.") else "STEP_"
    return (
        f"{reason}\nRetry not appropriate on execution of step with PipelineExecutionArn "
        f"{execution_arn} and StepId {step_name}. No retry policy configured for the exception "
        f"type {prefix}{short}."
    )
