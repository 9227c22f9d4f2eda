"""What can stop a local deploy, each naming what to fix."""

from __future__ import annotations

from sagestack.errors import SagestackError


class DeployError(SagestackError):
    """A deploy that did not complete; the message says what to do next."""


class InputError(DeployError):
    """An input the applier cannot translate into the AWS request."""


class UnmappedTypesError(DeployError):
    def __init__(self, types: list[str]) -> None:
        self.types = types
        super().__init__(
            "the local cloud has no handler for resource type(s) "
            + ", ".join(types)
            + "; nothing was created (add a handler in sagestack/deploy/handlers/)"
        )


class UnsupportedServingError(DeployError):
    def __init__(self, projects: list[str]) -> None:
        self.projects = projects
        super().__init__(
            "the local cloud has no Kubernetes: project(s) "
            + ", ".join(projects)
            + " ask for serving.target kubernetes; use serving.target sagemaker for a local "
            "deploy (nothing was created)"
        )


class ResourceFailedError(DeployError):
    def __init__(self, type_token: str, name: str, cause: BaseException) -> None:
        self.type_token = type_token
        self.name = name
        self.cause = cause
        super().__init__(
            f"{type_token} {name} failed: {cause}; resources created before it are recorded in "
            "the deploy state, so running the deploy again resumes from there"
        )


class PolicyViolationsError(DeployError):
    """The policy pack refused the plan; ``violations`` holds one line per violation."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        super().__init__(
            "Policy Violations (nothing was created):\n"
            + "\n".join(f"    {line}" for line in violations)
        )
