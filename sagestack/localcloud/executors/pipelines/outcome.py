"""How a step ended, and what every kind of step may ask of the execution running it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from sagestack.localcloud.executors.pipelines import retry
from sagestack.localcloud.executors.pipelines.definition import Step
from sagestack.localcloud.executors.pipelines.expressions import Scope


@dataclass
class StepOutcome:
    status: str  # Succeeded / Failed / Stopped
    properties: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    failure_reason: str | None = None


class StepFailed(Exception):
    """The step failed; ``exception_type`` (a RetryPolicies type) says whether a retry may help."""

    def __init__(
        self, reason: str, exception_type: str | None = None, metadata: dict | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        self.exception_type = exception_type
        self.metadata = metadata or {}


class StepStopped(Exception):
    """The execution was stopped while the step ran."""

    def __init__(self, metadata: dict | None = None):
        super().__init__("stopped")
        self.metadata = metadata or {}


class StepContext(Protocol):
    """What a step runner uses of the execution running it."""

    step: Step
    execution_arn: str
    execution_id: str

    def scope(self, job_variables: dict[str, str] | None = None) -> Scope: ...

    def evaluate(self, value: Any, job_variables: dict[str, str] | None = None) -> Any:
        """``value`` with its expressions evaluated; StepFailed when one cannot be."""

    def client(self, service: str) -> Any: ...

    def executing(self, metadata: dict[str, Any]) -> None: ...

    def stop_requested(self) -> bool: ...

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when the execution is being stopped meanwhile."""


def request(context: StepContext, job_variables: dict[str, str] | None = None) -> dict:
    """The step's arguments as the request of its SageMaker call: expressions evaluated, and
    members written as null left out (the service reads them as absent; boto3 refuses them)."""
    return _without_nulls(context.evaluate(context.step.arguments, job_variables))


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def invoke_failed(operation: str, error: Exception) -> StepFailed:
    """A SageMaker call of the step was refused, in the service's wording."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        message = details.get("Message") or details.get("Code", "")
        code = details.get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    elif isinstance(error, ParamValidationError):
        message, code, status = str(error), "ValidationException", 400
    else:
        message, code, status = str(error), "ServiceUnavailable", 503
    reason = f"ClientError: Failed to invoke sagemaker:{operation}. Error Details: {message}"
    return StepFailed(reason, _exception_type(code, status))


def _exception_type(code: str, status: int) -> str | None:
    if code in ("ThrottlingException", "Throttling", "TooManyRequestsException"):
        return retry.THROTTLING
    if code == "ResourceLimitExceeded":
        return retry.RESOURCE_LIMIT
    if status >= 500:
        return retry.SERVICE_FAULT
    return None


CALL_ERRORS = (ClientError, BotoCoreError)
